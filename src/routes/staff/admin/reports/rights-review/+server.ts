import { db } from '$lib/server/db';
import { answerPage } from '$lib/server/http/answer';
import { staffCaller } from '$lib/server/http/caller';
import { exportDownload } from '$lib/server/http/headers';
import { rightsReviewReport } from '$lib/server/staff/reports';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, url }) =>
	exportDownload(
		await answerPage(() =>
			rightsReviewReport(db(), staffCaller(locals), {
				format: url.searchParams.get('format') === 'pdf' ? 'pdf' : 'csv'
			})
		)
	);
