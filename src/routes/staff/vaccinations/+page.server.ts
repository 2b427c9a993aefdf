// Keying returned 予診票 and checking others' entries.
import { redirect } from '@sveltejs/kit';
import { answer, answerPage } from '$lib/server/http/answer';
import { asStaff } from '$lib/server/http/caller';
import { formOf } from '$lib/server/http/form';
import { checkLedgerDose, keyDose, ledgerDesk } from '$lib/server/vaccinations/ledger';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => ({
	...(await answerPage(() => ledgerDesk(...asStaff(locals)))),
	entered: url.searchParams.has('entered'),
	checked: url.searchParams.has('checked'),
	// Keying a stack of forms from one clinic: date and clinic stay for the next one.
	keep: {
		administeredOn: url.searchParams.get('on') ?? '',
		institution: url.searchParams.get('at') ?? ''
	}
});

export const actions: Actions = {
	enter: async ({ locals, request }) => {
		const form = await formOf(request);
		const field = (name: string) => String(form.get(name) ?? '').slice(0, 100);
		const values = {
			atena: field('atena'),
			dose: field('dose'),
			administeredOn: field('administered_on'),
			institution: field('institution'),
			lot: field('lot'),
			manufacturer: field('manufacturer')
		};
		return answer(
			async () => {
				await keyDose(...asStaff(locals), { entry: values });
				const keep = new URLSearchParams({
					entered: '1',
					on: values.administeredOn,
					at: values.institution
				});
				redirect(303, `/staff/vaccinations?${keep}`);
			},
			{ values }
		);
	},
	check: async ({ locals, request }) => {
		const id = String((await formOf(request)).get('id') ?? '');
		return answer(
			async () => {
				await checkLedgerDose(...asStaff(locals), { id });
				redirect(303, '/staff/vaccinations?checked=1');
			},
			(refusal) => ({ checkError: refusal.text })
		);
	}
};
