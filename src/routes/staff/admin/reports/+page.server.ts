import { requirePermission } from '$lib/server/staff/permissions';
import { tokyoDate } from '$lib/server/time';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
	requirePermission(locals, 'staff.manage');
	const today = tokyoDate(new Date());
	return { from: `${today.slice(0, 8)}01`, to: today };
};
