import {
	assembleAction,
	decideAction,
	deskRequestLoad,
	withholdAction
} from '$lib/server/desk/request-http';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => deskRequestLoad(event);
export const actions: Actions = {
	assemble: (event) => assembleAction(event),
	withhold: (event) => withholdAction(event),
	decide: (event) => decideAction(event)
};
