import { caseActions, caseLoad } from '$lib/server/applications/casework-http';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => caseLoad(event);
export const actions: Actions = caseActions;
