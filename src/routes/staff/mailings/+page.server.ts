import {
	cancelAction,
	createAction,
	mailingsLoad,
	previewAction,
	sentAction
} from '$lib/server/mailings/mailings-http';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => mailingsLoad(event);
export const actions: Actions = {
	preview: (event) => previewAction(event),
	create: (event) => createAction(event),
	cancel: (event) => cancelAction(event),
	sent: (event) => sentAction(event)
};
