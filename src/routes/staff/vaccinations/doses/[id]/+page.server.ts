import { decideAction, doseLoad, requestAction } from '$lib/server/vaccinations/corrections-http';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => doseLoad(event);
export const actions: Actions = {
	correct: (event) => requestAction(event, 'correct'),
	void: (event) => requestAction(event, 'void'),
	decide: (event) => decideAction(event)
};
