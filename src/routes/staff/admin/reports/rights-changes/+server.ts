import { answerPage } from '$lib/server/http/answer';
import { asStaff } from '$lib/server/http/caller';
import { exportDownload } from '$lib/server/http/headers';
import { rightsChangesReport } from '$lib/server/staff/reports';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, url }) =>
	exportDownload(
		await answerPage(() =>
			rightsChangesReport(...asStaff(locals), {
				from: url.searchParams.get('from'),
				to: url.searchParams.get('to'),
				format: url.searchParams.get('format') === 'pdf' ? 'pdf' : 'csv'
			})
		)
	);
