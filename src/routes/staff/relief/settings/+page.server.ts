import { addAmountAction, settingsLoad, stallDaysAction } from '$lib/server/relief/settings-http';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => settingsLoad(event);
export const actions: Actions = {
	amount: (event) => addAmountAction(event),
	stall: (event) => stallDaysAction(event)
};
