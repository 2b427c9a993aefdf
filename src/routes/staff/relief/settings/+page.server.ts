// The relief catalogue's yearly figures and the stall threshold.
import { redirect } from '@sveltejs/kit';
import { getLocale } from '$lib/paraglide/runtime';
import { answer, answerPage } from '$lib/server/http/answer';
import { asStaff } from '$lib/server/http/caller';
import { formOf } from '$lib/server/http/form';
import { reliefSettings, setBenefitAmount, setStallDays } from '$lib/server/relief/settings';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => ({
	...(await answerPage(() =>
		reliefSettings(...asStaff(locals), { locale: getLocale() === 'en' ? 'en' : 'ja' })
	)),
	done: url.searchParams.has('saved')
});

export const actions: Actions = {
	amount: async ({ locals, request }) => {
		const values = Object.fromEntries(
			[...(await formOf(request)).entries()].map(([key, value]) => [
				key,
				String(value).slice(0, 40)
			])
		);
		return answer(
			async () => {
				await setBenefitAmount(...asStaff(locals), values);
				redirect(303, '/staff/relief/settings?saved=1');
			},
			{ values }
		);
	},
	stall: async ({ locals, request }) => {
		const days = String((await formOf(request)).get('days') ?? '');
		return answer(async () => {
			await setStallDays(...asStaff(locals), { days });
			redirect(303, '/staff/relief/settings?saved=1');
		});
	}
};
