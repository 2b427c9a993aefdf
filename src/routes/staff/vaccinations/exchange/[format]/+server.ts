import { error } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages';
import { answerPage } from '$lib/server/http/answer';
import { asStaff } from '$lib/server/http/caller';
import { exportDownload } from '$lib/server/http/headers';
import { exportLedger } from '$lib/server/vaccinations/ledger-files';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ locals, params, url }) => {
	const format = params.format === 'fhir' ? 'fhir' : params.format === 'csv' ? 'csv' : null;
	if (!format) error(404, m.error_not_found());
	const file = await answerPage(() =>
		exportLedger(...asStaff(locals), {
			format,
			from: url.searchParams.get('from'),
			until: url.searchParams.get('until')
		})
	);
	return exportDownload(file);
};
