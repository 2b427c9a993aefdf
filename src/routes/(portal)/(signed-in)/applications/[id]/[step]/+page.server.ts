import {
	removeAction,
	uploadAction,
	wizardAction,
	wizardLoad
} from '$lib/server/applications/wizard-http';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => wizardLoad(event);
export const actions: Actions = {
	answer: (event) => wizardAction(event),
	upload: (event) => uploadAction(event),
	remove: (event) => removeAction(event)
};
