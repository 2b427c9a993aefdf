import { redirect } from '@sveltejs/kit';
import { getLocale } from '$lib/paraglide/runtime';
import { startApplication, startPage } from '$lib/server/applications/applicant';
import { answer, answerPage } from '$lib/server/http/answer';
import { asResident } from '$lib/server/http/caller';
import { formOf } from '$lib/server/http/form';
import type { Actions, PageServerLoad } from './$types';

const locale = () => (getLocale() === 'en' ? 'en' : 'ja');

export const load: PageServerLoad = ({ locals, params }) =>
	answerPage(() => startPage(...asResident(locals), { slug: params.kind, locale: locale() }));

export const actions: Actions = {
	default: async ({ locals, params, request }) => {
		const startKey = String((await formOf(request)).get('start_key') ?? '');
		return answer(async () => {
			const next = await startApplication(...asResident(locals), {
				slug: params.kind,
				startKey,
				locale: locale()
			});
			redirect(303, next.redirect);
		});
	}
};
