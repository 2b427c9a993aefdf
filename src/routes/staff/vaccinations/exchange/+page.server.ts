import { exchangeLoad, importAction, trustAction } from '$lib/server/vaccinations/exchange-http';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => exchangeLoad(event);
export const actions: Actions = {
	import: (event) => importAction(event),
	trust: (event) => trustAction(event)
};
