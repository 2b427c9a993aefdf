// The administrator's door to one staff account (ACL-1..4): what it holds, for the page where
// roles are granted, approved and revoked and the account deactivated (admin-http.ts acts).
import { auditAs, requirePermission, type Caller } from '../audit/caller';
import type { Executor } from '../db';
import { AccessRefused } from '../errors';
import { isUuid } from '../ids';
import { tokyoDate } from '../time';

/** A staff account with its roles, passkeys and what the administrator may do with them. */
export async function staffMember(
	db: Executor,
	caller: Caller,
	input: { id: string },
	now = new Date()
) {
	requirePermission(caller, 'staff.manage');
	const admin = caller;
	if (!isUuid(input.id)) throw new AccessRefused('not_found');
	const user = await db
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
		.where('id', '=', input.id)
		.where('municipality_code', '=', admin.municipalityCode)
		.executeTakeFirst();
	if (!user) throw new AccessRefused('not_found');
	const [assignments, roles, passkeys] = await Promise.all([
		db
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
		db.selectFrom('role').select(['code', 'name_ja', 'name_en']).orderBy('code').execute(),
		db
			.selectFrom('webauthn_credential')
			.select(['id', 'nickname', 'created_at', 'last_used_at', 'revoked_at'])
			.where('staff_user_id', '=', user.id)
			.orderBy('created_at')
			.execute()
	]);
	await auditAs(db, caller, {
		action: 'staff.list',
		objectType: 'staff_user',
		objectId: user.id,
		result: 'ok'
	});
	return {
		today: tokyoDate(now),
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
}
