// The household dashboard.
import { getLocale } from '$lib/paraglide/runtime';
import { answerPage } from '$lib/server/http/answer';
import { asResident } from '$lib/server/http/caller';
import { householdDashboard } from '$lib/server/residents/people';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => ({
	...(await answerPage(() =>
		householdDashboard(...asResident(locals), { locale: getLocale() === 'en' ? 'en' : 'ja' })
	)),
	welcome: url.searchParams.has('welcome')
});
