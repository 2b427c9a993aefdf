import { error } from '@sveltejs/kit';
import { recordAudit } from '$lib/server/audit/record';
import { staffActor } from '$lib/server/auth/http';
import { db } from '$lib/server/db';
import {
	approveRoleAction,
	deactivateAction,
	grantRoleAction,
	newLinkAction,
	revokeRoleAction
} from '$lib/server/staff/admin-http';
import { tokyoDate } from '$lib/server/time';
import { requirePermission } from '$lib/server/staff/permissions';
import type { Actions, PageServerLoad } from './$types';
import { isUuid } from '$lib/server/ids';

export const load: PageServerLoad = async ({ locals, params }) => {
	const admin = requirePermission(locals, 'staff.manage');
	if (!isUuid(params.id)) error(404);
	const user = await db()
		.selectFrom('staff_user')
		.select([
			'id',
			'login_id',
			'display_name',
			'department_ja',
			'active',
			'deactivated_at',
			'deactivation_reason'
		])
		.where('id', '=', params.id)
		.where('municipality_code', '=', admin.municipalityCode)
		.executeTakeFirst();
	if (!user) error(404);
	const [assignments, roles, passkeys] = await Promise.all([
		db()
			.selectFrom('staff_role')
			.select([
				'id',
				'role_code',
				'valid_from',
				'valid_until',
				'revoked_at',
				'revoke_reason',
				'grant_reason',
				'granted_by',
				'approval_needed',
				'approved_at'
			])
			.where('staff_user_id', '=', user.id)
			.orderBy('granted_at')
			.execute(),
		db().selectFrom('role').select(['code', 'name_ja', 'name_en']).orderBy('code').execute(),
		db()
			.selectFrom('webauthn_credential')
			.select(['id', 'nickname', 'created_at', 'last_used_at', 'revoked_at'])
			.where('staff_user_id', '=', user.id)
			.orderBy('created_at')
			.execute()
	]);
	await recordAudit(db(), {
		municipalityCode: admin.municipalityCode,
		actor: staffActor(locals),
		context: locals.audit,
		action: 'staff.list',
		objectType: 'staff_user',
		objectId: user.id,
		result: 'ok'
	});
	return {
		today: tokyoDate(new Date()),
		self: user.id === admin.id,
		user: { ...user, deactivated_at: user.deactivated_at?.toISOString() ?? null },
		roles,
		assignments: assignments.map(({ granted_by, approved_at, approval_needed, ...row }) => ({
			...row,
			revoked_at: row.revoked_at?.toISOString() ?? null,
			awaitingApproval: approval_needed && approved_at === null,
			// Not the administrator who granted it, not the person it is for.
			mayApprove: granted_by !== admin.id && user.id !== admin.id
		})),
		passkeys: passkeys.map((row) => ({
			...row,
			created_at: row.created_at.toISOString(),
			last_used_at: row.last_used_at?.toISOString() ?? null,
			revoked_at: row.revoked_at?.toISOString() ?? null
		}))
	};
};

export const actions: Actions = {
	grant: (event) => grantRoleAction(event, event.params.id),
	approve: (event) => approveRoleAction(event, event.params.id),
	revoke: (event) => revokeRoleAction(event, event.params.id),
	deactivate: (event) => deactivateAction(event, event.params.id),
	link: (event) => newLinkAction(event, event.params.id)
};
