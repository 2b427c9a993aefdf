import { caseAttachment } from '$lib/server/applications/cases';
import { answerPage } from '$lib/server/http/answer';
import { asStaff } from '$lib/server/http/caller';
import { inlineFile } from '$lib/server/http/headers';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, params }) =>
	inlineFile(
		await answerPage(() =>
			caseAttachment(...asStaff(locals), { id: params.id, attachmentId: params.attachment })
		)
	);
