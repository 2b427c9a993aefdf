import { answer, answerPage } from '$lib/server/http/answer';
import { asStaff } from '$lib/server/http/caller';
import { formOf, textOf } from '$lib/server/http/form';
import {
	importLedgerFile,
	ledgerFilesScreen,
	setTrustedSource
} from '$lib/server/vaccinations/ledger-files';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) =>
	answerPage(() => ledgerFilesScreen(...asStaff(locals)));

export const actions: Actions = {
	import: async ({ locals, request }) => {
		const form = await formOf(request);
		const values = {
			source: textOf(form, 100)('source'),
			person: textOf(form, 15)('person'),
			consent: form.get('consent') === 'on'
		};
		const file = form.get('file');
		return answer(
			async () => ({
				values,
				report: await importLedgerFile(...asStaff(locals), {
					values,
					file: file instanceof File ? file : null
				})
			}),
			{ values }
		);
	},
	trust: async ({ locals, request }) => {
		const form = await formOf(request);
		return answer(async () => {
			await setTrustedSource(...asStaff(locals), {
				source: textOf(form, 100)('source'),
				remove: form.get('remove') === '1',
				reason: textOf(form, 500)('reason')
			});
			return { trustedSaved: true };
		});
	}
};
