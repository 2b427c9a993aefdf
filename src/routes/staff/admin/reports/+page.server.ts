import { requireStaffRight } from '$lib/server/http/caller';
import { tokyoDate } from '$lib/server/time';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
	requireStaffRight(locals, 'staff.manage');
	const today = tokyoDate(new Date());
	return { from: `${today.slice(0, 8)}01`, to: today };
};
