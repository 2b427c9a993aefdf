// The rights a staff member holds today, read on every request by the guard and again by the
// case machine before a decision: roles in force (dated, approved where a second administrator
// must approve) and the city's permissions for them.
import type { Selectable } from 'kysely';
import type { DB, Executor } from '../db';
import { tokyoDate } from '../time';

/** What a staff member may do today: roles in force and the city's permissions for them. */
export async function staffAccess(
	db: Executor,
	staffUserId: string,
	now: Date
): Promise<{
	user: Selectable<DB['staff_user']>;
	roles: string[];
	permissions: Set<string>;
} | null> {
	const user = await db
		.selectFrom('staff_user')
		.selectAll()
		.where('id', '=', staffUserId)
		.where('active', '=', true)
		.executeTakeFirst();
	if (!user) return null;
	const today = tokyoDate(now);
	const rows = await db
		.selectFrom('staff_role')
		.leftJoin('role_permission', (join) =>
			join
				.onRef('role_permission.role_code', '=', 'staff_role.role_code')
				.onRef('role_permission.municipality_code', '=', 'staff_role.municipality_code')
		)
		.select(['staff_role.role_code', 'role_permission.permission_code'])
		.where('staff_role.staff_user_id', '=', staffUserId)
		.where('staff_role.revoked_at', 'is', null)
		// A grant waiting for its second administrator gives nothing yet.
		.where((eb) =>
			eb.or([
				eb('staff_role.approval_needed', '=', false),
				eb('staff_role.approved_at', 'is not', null)
			])
		)
		.where('staff_role.valid_from', '<=', today)
		.where((eb) =>
			eb.or([eb('staff_role.valid_until', 'is', null), eb('staff_role.valid_until', '>=', today)])
		)
		.execute();
	return {
		user,
		roles: [...new Set(rows.map((row) => row.role_code))].sort(),
		permissions: new Set(rows.flatMap((row) => (row.permission_code ? [row.permission_code] : [])))
	};
}
