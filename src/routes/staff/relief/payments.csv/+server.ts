import { answerPage } from '$lib/server/http/answer';
import { asStaff } from '$lib/server/http/caller';
import { formOf } from '$lib/server/http/form';
import { exportDownload } from '$lib/server/http/headers';
import { reliefPaymentsFile } from '$lib/server/relief/officer';
import type { RequestHandler } from './$types';

/** Scheduled payments due in a period, for the city's finance system. */
export const POST: RequestHandler = async ({ locals, request }) => {
	const form = await formOf(request);
	return exportDownload(
		await answerPage(() =>
			reliefPaymentsFile(...asStaff(locals), {
				from: String(form.get('from') ?? ''),
				until: String(form.get('until') ?? '')
			})
		)
	);
};
