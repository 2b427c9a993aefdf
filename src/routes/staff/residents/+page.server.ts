import { searchAction } from '$lib/server/residents/search-http';
import { requirePermission } from '$lib/server/staff/permissions';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
	requirePermission(locals, 'resident.search');
	return {};
};
export const actions: Actions = { default: (event) => searchAction(event) };
