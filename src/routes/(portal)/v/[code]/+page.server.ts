// The short address printed on certificates (/v/ABCD-EFGH-JKMN): the same public verify page.
import { verifyCertificate } from '$lib/server/documents/verify';
import { answerPage } from '$lib/server/http/answer';
import { asPublicInPortalZone } from '$lib/server/http/caller';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params, setHeaders }) => {
	// Search engines and link previews should not keep these pages.
	setHeaders({ 'x-robots-tag': 'noindex, nofollow', 'cache-control': 'no-store' });
	return answerPage(async () =>
		verifyCertificate(...(await asPublicInPortalZone(locals)), { id: params.code })
	);
};
