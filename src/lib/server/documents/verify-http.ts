// The public verify page: what the printed address (or a scanned QR's issuer) leads to. No
// sign-in; it shows only what the holder shows anyway by handing the certificate over, and says
// whether it is still valid. Every look-up is audited, found or not.
import type { RequestEvent } from '@sveltejs/kit';
import { servedMunicipality } from '../auth/http';
import { db } from '../db';
import { verifyDocument } from './registry';

export async function verifyLoad(event: RequestEvent) {
	const outcome = await verifyDocument(db(), {
		verifyId: event.params.id ?? '',
		context: event.locals.audit,
		fallbackMunicipality: (await servedMunicipality()).municipality_code
	});
	// Search engines and link previews should not keep these pages.
	event.setHeaders({ 'x-robots-tag': 'noindex, nofollow', 'cache-control': 'no-store' });
	return { outcome };
}
