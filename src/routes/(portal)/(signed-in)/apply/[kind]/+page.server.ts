import { startAction, startLoad } from '$lib/server/applications/wizard-http';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => startLoad(event);
export const actions: Actions = { default: (event) => startAction(event) };
