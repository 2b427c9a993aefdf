// Staff accounts: one per person (AUTH-1), roles as dated assignments (ACL-1..4). Rights are read
// on every request, so a revoked role or a deactivated account stops working at the next request;
// the person's sessions are ended as well, so nothing keeps running on the old rights.
import { sql, type Selectable } from 'kysely';
import type { DB, Executor } from '../db';
import { tokyoDate } from '../time';
import { DomainError } from '../errors';
import { m } from '$lib/paraglide/messages';

export type StaffUser = Selectable<DB['staff_user']>;
export type RoleAssignment = Selectable<DB['staff_role']>;

export type StaffAccountRefusal =
	| 'login_taken'
	| 'unknown_role'
	| 'dates'
	| 'not_found'
	| 'self'
	| 'deactivate_self'
	| 'invalid'
	| 'reason_required';

export class StaffAccountError extends DomainError<StaffAccountRefusal> {
	protected readonly messages = {
		login_taken: m.staff_login_taken,
		unknown_role: m.staff_form_invalid,
		dates: m.staff_form_invalid,
		not_found: m.staff_form_invalid,
		/** Approving a grant one made, or one for oneself (maker ≠ checker). */
		self: m.staff_role_approve_self,
		deactivate_self: m.staff_cannot_deactivate_self,
		invalid: m.staff_form_invalid,
		reason_required: m.staff_reason_required
	};
	constructor(code: StaffAccountRefusal, fields: Record<string, string> = {}) {
		super(code, code === 'not_found' ? 404 : code === 'self' ? 403 : 400, fields);
	}
}

export async function createStaffUser(
	db: Executor,
	input: {
		municipalityCode: string;
		loginId: string;
		displayName: string;
		departmentJa: string;
		departmentEn: string;
		roles: { role: string; validFrom: string; validUntil: string | null }[];
		createdBy: string | null;
		reason: string;
		now: Date;
	}
): Promise<StaffUser> {
	const taken = await db
		.selectFrom('staff_user')
		.select('id')
		.where('municipality_code', '=', input.municipalityCode)
		.where('login_id', '=', input.loginId)
		.executeTakeFirst();
	if (taken) throw new StaffAccountError('login_taken');
	const user = await db
		.insertInto('staff_user')
		.values({
			municipality_code: input.municipalityCode,
			login_id: input.loginId,
			display_name: input.displayName,
			department_ja: input.departmentJa,
			department_en: input.departmentEn,
			created_by: input.createdBy,
			created_at: input.now
		})
		.returningAll()
		.executeTakeFirstOrThrow();
	for (const role of input.roles) {
		await grantRole(db, {
			municipalityCode: input.municipalityCode,
			staffUserId: user.id,
			...role,
			grantedBy: input.createdBy,
			reason: input.reason,
			now: input.now
		});
	}
	return user;
}

export async function grantRole(
	db: Executor,
	input: {
		municipalityCode: string;
		staffUserId: string;
		role: string;
		validFrom: string;
		validUntil: string | null;
		grantedBy: string | null;
		reason: string;
		now: Date;
	}
): Promise<RoleAssignment> {
	const role = await db
		.selectFrom('role')
		.select('code')
		.where('code', '=', input.role)
		.executeTakeFirst();
	if (!role) throw new StaffAccountError('unknown_role');
	if (input.validUntil && input.validUntil < input.validFrom) throw new StaffAccountError('dates');
	return db
		.insertInto('staff_role')
		.values({
			municipality_code: input.municipalityCode,
			staff_user_id: input.staffUserId,
			role_code: input.role,
			valid_from: input.validFrom,
			valid_until: input.validUntil,
			granted_by: input.grantedBy,
			grant_reason: input.reason,
			granted_at: input.now,
			// Granted by a staff member (not the city's set-up from the command line): a role that
			// reads 個人番号 waits for a second administrator (approveRole).
			approval_needed:
				input.grantedBy !== null && (await readsMyNumber(db, input.municipalityCode, input.role))
		})
		.returningAll()
		.executeTakeFirstOrThrow();
}

async function readsMyNumber(db: Executor, municipalityCode: string, role: string) {
	const row = await db
		.selectFrom('role_permission')
		.select('role_code')
		.where('municipality_code', '=', municipalityCode)
		.where('role_code', '=', role)
		.where('permission_code', '=', 'mynumber.read')
		.executeTakeFirst();
	return row !== undefined;
}

/**
 * The second administrator's approval of a grant that waits for one: not the administrator who
 * granted it, not the person it is for ('self'); a grant that waits for nothing, or was revoked,
 * is 'not_found'.
 */
export async function approveRole(
	db: Executor,
	input: { assignmentId: string; municipalityCode: string; approvedBy: string; now: Date }
): Promise<RoleAssignment> {
	const pending = await db
		.selectFrom('staff_role')
		.selectAll()
		.where('id', '=', input.assignmentId)
		.where('municipality_code', '=', input.municipalityCode)
		.where('approval_needed', '=', true)
		.where('approved_at', 'is', null)
		.where('revoked_at', 'is', null)
		.forUpdate()
		.executeTakeFirst();
	if (!pending) throw new StaffAccountError('not_found');
	if (pending.granted_by === input.approvedBy || pending.staff_user_id === input.approvedBy)
		throw new StaffAccountError('self');
	return db
		.updateTable('staff_role')
		.set({ approved_by: input.approvedBy, approved_at: input.now })
		.where('id', '=', pending.id)
		.returningAll()
		.executeTakeFirstOrThrow();
}

export async function revokeRole(
	db: Executor,
	input: {
		assignmentId: string;
		municipalityCode: string;
		revokedBy: string;
		reason: string;
		now: Date;
	}
): Promise<RoleAssignment> {
	const row = await db
		.updateTable('staff_role')
		.set({ revoked_at: input.now, revoked_by: input.revokedBy, revoke_reason: input.reason })
		.where('id', '=', input.assignmentId)
		.where('municipality_code', '=', input.municipalityCode)
		.where('revoked_at', 'is', null)
		.returningAll()
		.executeTakeFirst();
	if (!row) throw new StaffAccountError('not_found');
	return row;
}

/** 異動・退職 (ACL-3): the account stops at once; its passkeys are revoked with it. */
export async function deactivateStaffUser(
	db: Executor,
	input: { staffUserId: string; municipalityCode: string; by: string; reason: string; now: Date }
): Promise<StaffUser> {
	if (input.staffUserId === input.by) throw new StaffAccountError('deactivate_self');
	const user = await db
		.updateTable('staff_user')
		.set({
			active: false,
			deactivated_at: input.now,
			deactivated_by: input.by,
			deactivation_reason: input.reason
		})
		.where('id', '=', input.staffUserId)
		.where('municipality_code', '=', input.municipalityCode)
		.where('active', '=', true)
		.returningAll()
		.executeTakeFirst();
	if (!user) throw new StaffAccountError('not_found');
	await db
		.updateTable('staff_role')
		.set({ revoked_at: input.now, revoked_by: input.by, revoke_reason: input.reason })
		.where('staff_user_id', '=', user.id)
		.where('revoked_at', 'is', null)
		.execute();
	await db
		.updateTable('webauthn_credential')
		.set({ revoked_at: input.now, revoke_reason: 'account_deactivated' })
		.where('staff_user_id', '=', user.id)
		.where('revoked_at', 'is', null)
		.execute();
	await db.deleteFrom('staff_session').where('staff_user_id', '=', user.id).execute();
	return user;
}

export type RightsChange = {
	at: Date;
	kind: 'account_created' | 'role_granted' | 'role_revoked' | 'account_deactivated';
	loginId: string;
	displayName: string;
	department: string;
	role: string | null;
	validFrom: string | null;
	validUntil: string | null;
	by: string | null;
	reason: string | null;
};

/** ACL-2: every change of rights in a period, oldest first (a printable report on 人事異動). */
export async function rightsChanges(
	db: Executor,
	input: { municipalityCode: string; from: Date; to: Date }
): Promise<RightsChange[]> {
	const { rows } = await sql<RightsChange>`
		WITH changes AS (
			SELECT u.created_at AS at, 'account_created' AS kind, u.id AS user_id, NULL AS role,
				NULL::date AS valid_from, NULL::date AS valid_until, u.created_by AS by_id, NULL AS reason
			FROM staff_user u WHERE u.municipality_code = ${input.municipalityCode}
			UNION ALL
			SELECT r.granted_at, 'role_granted', r.staff_user_id, r.role_code, r.valid_from, r.valid_until,
				r.granted_by, r.grant_reason
			FROM staff_role r WHERE r.municipality_code = ${input.municipalityCode}
			UNION ALL
			SELECT r.revoked_at, 'role_revoked', r.staff_user_id, r.role_code, r.valid_from, r.valid_until,
				r.revoked_by, r.revoke_reason
			FROM staff_role r WHERE r.municipality_code = ${input.municipalityCode} AND r.revoked_at IS NOT NULL
			UNION ALL
			SELECT u.deactivated_at, 'account_deactivated', u.id, NULL, NULL, NULL, u.deactivated_by,
				u.deactivation_reason
			FROM staff_user u WHERE u.municipality_code = ${input.municipalityCode} AND u.deactivated_at IS NOT NULL
		)
		SELECT c.at, c.kind, u.login_id AS "loginId", u.display_name AS "displayName",
			u.department_ja AS department, c.role, c.valid_from::text AS "validFrom",
			c.valid_until::text AS "validUntil", b.login_id AS by, c.reason
		FROM changes c JOIN staff_user u ON u.id = c.user_id LEFT JOIN staff_user b ON b.id = c.by_id
		WHERE c.at >= ${input.from} AND c.at < ${input.to}
		ORDER BY c.at, u.login_id`.execute(db);
	return rows;
}

export type RightsReviewRow = {
	loginId: string;
	displayName: string;
	department: string;
	active: boolean;
	roles: string;
	passkeys: number;
	lastSignIn: Date | null;
	createdAt: Date;
};

/** ACL-4: every account with its rights in force, for the periodic review. */
export async function rightsReview(
	db: Executor,
	input: { municipalityCode: string; now: Date }
): Promise<RightsReviewRow[]> {
	const today = tokyoDate(input.now);
	const { rows } = await sql<RightsReviewRow>`
		SELECT u.login_id AS "loginId", u.display_name AS "displayName", u.department_ja AS department,
			u.active,
			coalesce((SELECT string_agg(r.role_code || ' ' || r.valid_from::text || '〜' ||
					coalesce(r.valid_until::text, ''), '; ' ORDER BY r.role_code)
				FROM staff_role r WHERE r.staff_user_id = u.id AND r.revoked_at IS NULL
					AND (r.valid_until IS NULL OR r.valid_until >= ${today}::date)), '') AS roles,
			(SELECT count(*)::int FROM webauthn_credential c
				WHERE c.staff_user_id = u.id AND c.revoked_at IS NULL) AS passkeys,
			(SELECT max(c.last_used_at) FROM webauthn_credential c WHERE c.staff_user_id = u.id) AS "lastSignIn",
			u.created_at AS "createdAt"
		FROM staff_user u WHERE u.municipality_code = ${input.municipalityCode}
		ORDER BY u.active DESC, u.login_id`.execute(db);
	return rows;
}
