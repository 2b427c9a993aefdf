import { answer, answerPage } from '$lib/server/http/answer';
import { asStaff } from '$lib/server/http/caller';
import { formOf } from '$lib/server/http/form';
import {
	importLedgerFile,
	ledgerFilesScreen,
	setTrustedSource
} from '$lib/server/vaccinations/ledger-files';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) =>
	answerPage(() => ledgerFilesScreen(...asStaff(locals)));

const textOf = (form: FormData, name: string, max: number) =>
	String(form.get(name) ?? '')
		.trim()
		.slice(0, max);

export const actions: Actions = {
	import: async ({ locals, request }) => {
		const form = await formOf(request);
		const values = {
			source: textOf(form, 'source', 100),
			person: textOf(form, 'person', 15),
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
				source: textOf(form, 'source', 100),
				remove: form.get('remove') === '1',
				reason: textOf(form, 'reason', 500)
			});
			return { trustedSaved: true };
		});
	}
};
