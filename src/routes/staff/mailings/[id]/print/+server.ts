import { answerPage } from '$lib/server/http/answer';
import { asStaff } from '$lib/server/http/caller';
import { exportDownload } from '$lib/server/http/headers';
import { mailingPrintFile } from '$lib/server/mailings/mailings';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, params }) => {
	const file = await answerPage(() => mailingPrintFile(...asStaff(locals), { id: params.id }));
	return exportDownload({ ...file, contentType: 'application/pdf' });
};
