import { json } from '@sveltejs/kit';
import { healthCardFile } from '$lib/server/documents/verify';
import { answerPage } from '$lib/server/http/answer';
import { asPublicInPortalZone } from '$lib/server/http/caller';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, params }) => {
	const file = await answerPage(async () =>
		healthCardFile(...(await asPublicInPortalZone(locals)), { id: params.id })
	);
	if (!file) return json({ error: 'not_found' }, { status: 404 });
	return new Response(file.body, {
		headers: {
			'content-type': 'application/smart-health-card',
			'content-disposition': `attachment; filename="${file.fileName}"`,
			'cache-control': 'no-store',
			'x-robots-tag': 'noindex, nofollow'
		}
	});
};
