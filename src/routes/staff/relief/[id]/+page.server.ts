import {
	purposeAction,
	releaseAction,
	reliefAction,
	reliefCaseLoad
} from '$lib/server/relief/relief-http';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => reliefCaseLoad(event);
export const actions: Actions = {
	purpose: (event) => purposeAction(event),
	act: (event) => reliefAction(event),
	release: (event) => releaseAction(event)
};
