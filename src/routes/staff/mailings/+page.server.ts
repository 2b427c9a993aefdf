// The staff screen of 接種勧奨 and yearly mailings.
import { redirect } from '@sveltejs/kit';
import { getLocale } from '$lib/paraglide/runtime';
import { answer, answerPage } from '$lib/server/http/answer';
import { asStaff } from '$lib/server/http/caller';
import { formOf } from '$lib/server/http/form';
import { jobs } from '$lib/server/jobs/runtime';
import {
	cancelMailingBatch,
	createMailing,
	mailingsScreen,
	markMailingBatchSent,
	previewMailingFor,
	type MailingForm
} from '$lib/server/mailings/mailings';
import type { Actions, PageServerLoad } from './$types';

const locale = () => (getLocale() === 'en' ? 'en' : 'ja');

export const load: PageServerLoad = async ({ locals, url }) => ({
	...(await answerPage(() => mailingsScreen(...asStaff(locals), { locale: locale() }))),
	done: url.searchParams.get('done')
});

function valuesOf(form: FormData): MailingForm {
	return {
		kind: String(form.get('kind') ?? ''),
		vaccines: form.getAll('vaccines').map(String).slice(0, 40),
		bornFrom: String(form.get('born_from') ?? '').slice(0, 10),
		bornUntil: String(form.get('born_until') ?? '').slice(0, 10),
		withQuestionnaires: form.get('questionnaires') === 'on'
	};
}

export const actions: Actions = {
	preview: async ({ locals, request }) => {
		const values = valuesOf(await formOf(request));
		return answer(
			async () => ({
				values,
				preview: await previewMailingFor(...asStaff(locals), { values, locale: locale() })
			}),
			{ values }
		);
	},
	create: async ({ locals, request }) => {
		const form = await formOf(request);
		const values = valuesOf(form);
		return answer(
			async () => {
				const batch = await createMailing(...asStaff(locals), {
					values,
					requestKey: String(form.get('request_key') ?? '')
				});
				await (await jobs()).enqueueMailing(batch.id);
				redirect(303, '/staff/mailings?done=created');
			},
			{ values }
		);
	},
	cancel: async ({ locals, request }) => {
		const batchId = String((await formOf(request)).get('batch') ?? '');
		return answer(async () => {
			await cancelMailingBatch(...asStaff(locals), { batchId });
			redirect(303, '/staff/mailings?done=cancelled');
		});
	},
	sent: async ({ locals, request }) => {
		const form = await formOf(request);
		return answer(async () => {
			await markMailingBatchSent(...asStaff(locals), {
				batchId: String(form.get('batch') ?? ''),
				sentOn: String(form.get('sent_on') ?? '')
			});
			redirect(303, '/staff/mailings?done=sent');
		});
	}
};
