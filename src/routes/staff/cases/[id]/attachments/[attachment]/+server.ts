import { caseAttachment } from '$lib/server/applications/cases';
import { db } from '$lib/server/db';
import { answerPage } from '$lib/server/http/answer';
import { staffCaller } from '$lib/server/http/caller';
import { inlineFile } from '$lib/server/http/headers';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, params }) =>
	inlineFile(
		await answerPage(() =>
			caseAttachment(db(), staffCaller(locals), { id: params.id, attachmentId: params.attachment })
		)
	);
