import { wizardAction, wizardLoad } from '$lib/server/applications/reissue-http';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => wizardLoad(event);
export const actions: Actions = { default: (event) => wizardAction(event) };
