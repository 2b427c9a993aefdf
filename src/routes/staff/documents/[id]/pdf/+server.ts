import { reprintRegisteredDocument } from '$lib/server/documents/document-register';
import { answerPage } from '$lib/server/http/answer';
import { asStaff } from '$lib/server/http/caller';
import { pdfDownload } from '$lib/server/http/headers';
import type { RequestHandler } from './$types';

/** The stored bytes, inline, exactly as first issued (a reprint), audited. */
export const GET: RequestHandler = async ({ locals, params }) =>
	pdfDownload(
		await answerPage(() => reprintRegisteredDocument(...asStaff(locals), { id: params.id })),
		'inline'
	);
