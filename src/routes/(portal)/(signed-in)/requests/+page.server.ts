import { ownDeskRequests } from '$lib/server/desk/online';
import { objectStanding } from '$lib/server/exchange/portal';
import { asResident, asResidentInPortalZone } from '$lib/server/http/caller';
import { isUuid } from '$lib/server/ids';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	const sent = url.searchParams.get('sent');
	const key = sent && isUuid(sent) ? sent : null;
	const page = await ownDeskRequests(...asResident(locals), {
		done: url.searchParams.get('done'),
		sent: key
	});
	// A request signed here travels to the back office (issue 27): while it is on its way the page
	// says so and asks again; once taken in, it is in the list with its reference.
	const sending = key ? await objectStanding(...asResidentInPortalZone(locals), key) : null;
	return { ...page, sending };
};
