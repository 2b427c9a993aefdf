// The household dashboard.
import { getLocale } from '$lib/paraglide/runtime';
import { consentStanding } from '$lib/server/exchange/portal';
import { answerPage } from '$lib/server/http/answer';
import { asResidentInPortalZone } from '$lib/server/http/caller';
import { householdDashboard } from '$lib/server/residents/people';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	// From the portal zone's own database (issue 27): what the back office published.
	const { consentedAt, ...dashboard } = await answerPage(() =>
		householdDashboard(...asResidentInPortalZone(locals), {
			locale: getLocale() === 'en' ? 'en' : 'ja'
		})
	);
	// The agreement travels to the back office (issue 27): signed here, given once taken in there.
	const consent = await consentStanding(...asResidentInPortalZone(locals), consentedAt);
	return { ...dashboard, consent, welcome: url.searchParams.has('welcome') };
};
