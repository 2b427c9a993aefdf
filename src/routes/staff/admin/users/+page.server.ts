import { actorOf } from '$lib/server/audit/caller';
import { staffCaller } from '$lib/server/http/caller';
import { recordAudit } from '$lib/server/audit/record';
import { db } from '$lib/server/db';
import { createUserAction } from '$lib/server/staff/admin-http';
import { tokyoDate } from '$lib/server/time';
import { rightsReview } from '$lib/server/staff/accounts';
import { requirePermission } from '$lib/server/staff/permissions';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => {
	const admin = requirePermission(locals, 'staff.manage');
	const now = new Date();
	const [users, roles] = await Promise.all([
		db()
			.selectFrom('staff_user')
			.select(['id', 'login_id', 'display_name', 'department_ja', 'active'])
			.where('municipality_code', '=', admin.municipalityCode)
			.orderBy('active', 'desc')
			.orderBy('login_id')
			.execute(),
		db().selectFrom('role').select(['code', 'name_ja', 'name_en']).orderBy('code').execute()
	]);
	const review = await rightsReview(db(), { municipalityCode: admin.municipalityCode, now });
	const rolesByLogin = new Map(review.map((row) => [row.loginId, row]));
	await recordAudit(db(), {
		municipalityCode: admin.municipalityCode,
		actor: actorOf(staffCaller(locals)),
		context: locals.audit,
		action: 'staff.list',
		result: 'ok'
	});
	return {
		today: tokyoDate(now),
		roles,
		users: users.map((user) => ({
			...user,
			roles: rolesByLogin.get(user.login_id)?.roles ?? '',
			passkeys: rolesByLogin.get(user.login_id)?.passkeys ?? 0
		}))
	};
};

export const actions: Actions = { create: createUserAction };
