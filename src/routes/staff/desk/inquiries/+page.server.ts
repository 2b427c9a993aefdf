import { closeAction, inquiriesLoad, logAction } from '$lib/server/desk/inquiries-http';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => inquiriesLoad(event);
export const actions: Actions = {
	log: (event) => logAction(event),
	close: (event) => closeAction(event)
};
