// The relief officers' list: cases with reminders, and claims to take in (portal or desk).
import { redirect } from '@sveltejs/kit';
import { getLocale } from '$lib/paraglide/runtime';
import { answer, answerPage } from '$lib/server/http/answer';
import { asStaff } from '$lib/server/http/caller';
import { formOf, textOf } from '$lib/server/http/form';
import { openDeskClaim, openPortalClaim, reliefCases } from '$lib/server/relief/officer';
import type { Actions, PageServerLoad } from './$types';

const locale = () => (getLocale() === 'en' ? 'en' : 'ja');

export const load: PageServerLoad = ({ locals }) =>
	answerPage(() => reliefCases(...asStaff(locals), { locale: locale() }));

export const actions: Actions = {
	open: async ({ locals, request }) => {
		const applicationId = String((await formOf(request)).get('application') ?? '');
		return answer(async () => {
			const { id } = await openPortalClaim(...asStaff(locals), { applicationId });
			redirect(303, `/staff/relief/${id}`);
		});
	},
	desk: async ({ locals, request }) => {
		const form = await formOf(request);
		const field = textOf(form, 100);
		const values = {
			atena: field('atena'),
			claimant: field('claimant'),
			category: field('category'),
			receivedOn: field('received_on'),
			benefits: form.getAll('benefit').map(String)
		};
		return answer(
			async () => {
				const { id } = await openDeskClaim(...asStaff(locals), { values, locale: locale() });
				redirect(303, `/staff/relief/${id}`);
			},
			{ desk: values }
		);
	}
};
