import { ownDeskRequests } from '$lib/server/desk/online';
import { asResident } from '$lib/server/http/caller';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) =>
	ownDeskRequests(...asResident(locals), { done: url.searchParams.get('done') });
