import { auditLoad, reviewAction, searchAction, verifyAction } from '$lib/server/audit/review-http';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => auditLoad(event);
export const actions: Actions = {
	search: (event) => searchAction(event),
	verify: (event) => verifyAction(event),
	review: (event) => reviewAction(event)
};
