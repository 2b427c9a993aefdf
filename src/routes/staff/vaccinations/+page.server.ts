import { checkAction, enterAction, recordsLoad } from '$lib/server/vaccinations/records-http';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => recordsLoad(event);
export const actions: Actions = {
	enter: (event) => enterAction(event),
	check: (event) => checkAction(event)
};
