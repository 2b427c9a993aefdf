import { residentDocument } from '$lib/server/documents/issued';
import { answerPage } from '$lib/server/http/answer';
import { asResidentInPortalZone } from '$lib/server/http/caller';
import { pdfDownload } from '$lib/server/http/headers';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, params }) =>
	pdfDownload(
		await answerPage(() => residentDocument(...asResidentInPortalZone(locals), { id: params.id }))
	);
