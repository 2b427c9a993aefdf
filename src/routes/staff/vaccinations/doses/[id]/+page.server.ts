// One recorded dose: its versions, and corrections asked for by one person, decided by another.
import { redirect } from '@sveltejs/kit';
import { getLocale } from '$lib/paraglide/runtime';
import { answer, answerPage } from '$lib/server/http/answer';
import { asStaff } from '$lib/server/http/caller';
import { entriesOf, formOf } from '$lib/server/http/form';
import { askDoseChange, decideDoseChangeFor, doseFile } from '$lib/server/vaccinations/dose-file';
import type { Actions, RequestEvent, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params, url }) => ({
	...(await answerPage(() =>
		doseFile(...asStaff(locals), { id: params.id, locale: getLocale() === 'en' ? 'en' : 'ja' })
	)),
	done: url.searchParams.get('done')
});

const ask =
	(kind: 'correct' | 'void') =>
	async ({ locals, params, request }: RequestEvent) => {
		const form = entriesOf(await formOf(request), 500);
		const values = {
			dose: form.dose ?? '',
			administeredOn: form.administered_on ?? '',
			institution: form.institution ?? '',
			lot: form.lot ?? '',
			manufacturer: form.manufacturer ?? '',
			reason: form.reason ?? ''
		};
		return answer(
			async () => {
				await askDoseChange(...asStaff(locals), { id: params.id, kind, values });
				redirect(303, `/staff/vaccinations/doses/${params.id}?done=requested`);
			},
			{ form: kind, values }
		);
	};

export const actions: Actions = {
	correct: ask('correct'),
	void: ask('void'),
	decide: async ({ locals, params, request }) => {
		const form = entriesOf(await formOf(request), 500);
		const values = { change: form.change ?? '', note: (form.note ?? '').trim().slice(0, 400) };
		return answer(
			async () => {
				const decision = await decideDoseChangeFor(...asStaff(locals), {
					changeId: values.change,
					apply: form.decision === 'apply',
					note: values.note
				});
				redirect(303, `/staff/vaccinations/doses/${params.id}?done=${decision}`);
			},
			{ form: 'decide', values }
		);
	}
};
