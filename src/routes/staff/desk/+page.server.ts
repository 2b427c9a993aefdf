import { deskLoad, extendAction, registerAction } from '$lib/server/desk/requests-http';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => deskLoad(event);
export const actions: Actions = {
	register: (event) => registerAction(event),
	extend: (event) => extendAction(event)
};
