// The public verify page: what the printed address (or a scanned QR's issuer) leads to. No
// sign-in; it shows only what the holder shows anyway by handing the certificate over, and says
// whether it is still valid. Every look-up is audited, found or not. The printed short code
// (/v/ABCD-EFGH-JKMN) and the long id of older certificates (/verify/…) lead to the same page.
import { json, type RequestEvent } from '@sveltejs/kit';
import { servedMunicipality } from '../auth/http';
import { db } from '../db';
import { jwsOfNumeric } from './health-card';
import { verifyDocument } from './registry';

async function lookUp(event: RequestEvent, id: string) {
	const outcome = await verifyDocument(db(), {
		verifyId: id,
		context: event.locals.audit,
		fallbackMunicipality: (await servedMunicipality()).municipality_code
	});
	// Search engines and link previews should not keep these pages.
	event.setHeaders({ 'x-robots-tag': 'noindex, nofollow', 'cache-control': 'no-store' });
	return outcome;
}

export async function verifyLoad(event: RequestEvent, id = event.params.id ?? '') {
	const outcome = await lookUp(event, id);
	if (!outcome.found) return { outcome };
	const { healthCards, ...shown } = outcome;
	return {
		outcome: {
			...shown,
			// A valid certificate's cards as a file a SMART Health Card app imports.
			cardsFile:
				outcome.status === 'valid' && healthCards.length
					? `/verify/${encodeURIComponent(id)}/health-cards`
					: null
		}
	};
}

/** The .smart-health-card file (the spec's "verifiableCredential" JSON) of a valid certificate. */
export async function healthCardFile(event: RequestEvent): Promise<Response> {
	const outcome = await lookUp(event, event.params.id ?? '');
	if (!outcome.found || outcome.status !== 'valid' || outcome.healthCards.length === 0) {
		return json({ error: 'not_found' }, { status: 404 });
	}
	return new Response(
		JSON.stringify({ verifiableCredential: outcome.healthCards.map(jwsOfNumeric) }),
		{
			headers: {
				'content-type': 'application/smart-health-card',
				'content-disposition': `attachment; filename="${outcome.documentNumber}.smart-health-card"`,
				'cache-control': 'no-store'
			}
		}
	);
}
