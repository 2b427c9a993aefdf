import { ownAttachment } from '$lib/server/applications/applicant';
import { answerPage } from '$lib/server/http/answer';
import { asResident } from '$lib/server/http/caller';
import { inlineFile } from '$lib/server/http/headers';
import type { RequestHandler } from './$types';

/** A file of the applicant's own application, shown inline and never cached or sniffed. */
export const GET: RequestHandler = async ({ locals, params }) => {
	const file = await answerPage(() =>
		ownAttachment(...asResident(locals), { id: params.id, attachmentId: params.attachment })
	);
	return inlineFile(file);
};
