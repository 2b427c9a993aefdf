// The yearly report as vaccinations-2025.csv or vaccinations-2025.pdf.
import { error } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages';
import { getLocale } from '$lib/paraglide/runtime';
import { answerPage } from '$lib/server/http/answer';
import { asStaff } from '$lib/server/http/caller';
import { exportDownload } from '$lib/server/http/headers';
import { yearlyReportFile } from '$lib/server/statistics/statistics';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, params }) => {
	const format = params.format;
	if (format !== 'csv' && format !== 'pdf') error(404, m.error_not_found());
	return exportDownload(
		await answerPage(() =>
			yearlyReportFile(...asStaff(locals), {
				year: params.year,
				format,
				locale: getLocale() === 'en' ? 'en' : 'ja'
			})
		)
	);
};
