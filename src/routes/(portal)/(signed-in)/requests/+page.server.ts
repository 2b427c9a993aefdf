import { ownDeskRequests } from '$lib/server/desk/online';
import { objectStanding } from '$lib/server/exchange/portal';
import { answerPage } from '$lib/server/http/answer';
import { asResidentInPortalZone } from '$lib/server/http/caller';
import { isUuid } from '$lib/server/ids';
import { servedMunicipality } from '$lib/server/municipality/served';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	const sent = url.searchParams.get('sent');
	const key = sent && isUuid(sent) ? sent : null;
	const [zone, caller] = asResidentInPortalZone(locals);
	const page = await answerPage(async () =>
		ownDeskRequests(zone, caller, {
			done: url.searchParams.get('done'),
			sent: key,
			deadlineDays: (await servedMunicipality()).disclosure_deadline_days
		})
	);
	// A request signed here travels to the back office (issue 27): while it is on its way the page
	// says so and asks again; once taken in, it is in the list with its reference.
	const sending = key ? await objectStanding(zone, caller, key) : null;
	return { ...page, sending };
};
