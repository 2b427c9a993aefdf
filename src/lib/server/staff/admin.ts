// The administrator's doors to staff accounts (ACL-1..4): the list, one account with what it
// holds, a new colleague, roles granted, approved (by a second administrator where the role reads
// 個人番号) and revoked, the account deactivated, a new registration link. Every change is
// audited with its reason, and the person's sessions end so new rights apply at once.
import { z } from 'zod';
import { actorOf, auditAs, requirePermission, type Caller } from '../audit/caller';
import { auditEnrolmentIssued, issueStaffLink } from '../auth/enrolment';
import { sessionManagers } from '../auth/relying-party';
import { config } from '../config';
import type { Database, Executor } from '../db';
import { AccessRefused, fieldErrors } from '../errors';
import { isUuid } from '../ids';
import { tokyoDate } from '../time';
import {
	approveRole,
	deactivateStaffUser,
	grantRole,
	revokeRole,
	rightsReview,
	StaffAccountError
} from './accounts';
import { onboardStaff } from './onboarding';

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

/**
 * The city's staff accounts with their roles and passkeys, and the roles there are.
 */
export async function staffList(db: Executor, caller: Caller, now = new Date()) {
	requirePermission(caller, 'staff.manage');
	const [users, roles, review] = await Promise.all([
		db
			.selectFrom('staff_user')
			.select(['id', 'login_id', 'display_name', 'department_ja', 'active'])
			.where('municipality_code', '=', caller.municipalityCode)
			.orderBy('active', 'desc')
			.orderBy('login_id')
			.execute(),
		db.selectFrom('role').select(['code', 'name_ja', 'name_en']).orderBy('code').execute(),
		rightsReview(db, { municipalityCode: caller.municipalityCode, now })
	]);
	const rolesByLogin = new Map(review.map((row) => [row.loginId, row]));
	await auditAs(db, caller, { action: 'staff.list', result: 'ok' });
	return {
		today: tokyoDate(now),
		roles,
		users: users.map((user) => ({
			...user,
			roles: rolesByLogin.get(user.login_id)?.roles ?? '',
			passkeys: rolesByLogin.get(user.login_id)?.passkeys ?? 0
		}))
	};
}

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const reasonSchema = z.string().trim().min(1).max(200);
const roleCode = z.string().regex(/^[a-z_]{2,32}$/);

export const newStaffForm = z.object({
	login_id: z
		.string()
		.trim()
		.regex(/^[a-z0-9][a-z0-9._-]{1,31}$/),
	display_name: z.string().trim().min(1).max(60),
	department_ja: z.string().trim().min(1).max(60),
	department_en: z.string().trim().max(60).optional(),
	role: roleCode,
	valid_from: date,
	valid_until: date.or(z.literal('')).optional(),
	reason: reasonSchema
});

export const roleGrantForm = z.object({
	role: roleCode,
	valid_from: date,
	valid_until: date.or(z.literal('')).optional(),
	reason: reasonSchema
});

/** The one-time link a new colleague registers their passkey with. */
export function registrationUrl(token: string): string {
	return `${config().origin}/staff/register/${token}`;
}

/** New rights, new session: the person signs in again (a new session id on privilege change). */
const endSessionsOf = (staffUserId: string) => sessionManagers().staff.endAll(staffUserId);

/** A new colleague: the account, its first role and a registration link, audited together. */
export async function createStaffMember(
	db: Database,
	caller: Caller,
	form: Record<string, string>
) {
	requirePermission(caller, 'staff.manage');
	const parsed = newStaffForm.safeParse(form);
	if (!parsed.success) {
		throw new StaffAccountError('invalid', fieldErrors(parsed.error, {}));
	}
	const input = parsed.data;
	const now = new Date();
	try {
		const { user, token } = await db.transaction().execute((trx) =>
			onboardStaff(
				trx,
				{
					municipalityCode: caller.municipalityCode,
					loginId: input.login_id,
					displayName: input.display_name,
					departmentJa: input.department_ja,
					departmentEn: input.department_en || input.department_ja,
					roles: [
						{ role: input.role, validFrom: input.valid_from, validUntil: input.valid_until || null }
					],
					createdBy: caller.id,
					reason: input.reason,
					now
				},
				{ actor: actorOf(caller), context: caller.context }
			)
		);
		return { id: user.id, loginId: user.login_id, link: registrationUrl(token) };
	} catch (failure) {
		if (failure instanceof StaffAccountError && failure.code === 'login_taken') {
			throw new StaffAccountError('login_taken', { login_id: failure.text });
		}
		if (failure instanceof StaffAccountError) {
			throw new StaffAccountError(failure.code, { role: failure.text });
		}
		throw failure;
	}
}

/** A role granted; one that reads 個人番号 waits for a second administrator. */
export async function grantStaffRole(
	db: Database,
	caller: Caller,
	input: { id: string; form: Record<string, string> }
): Promise<{ awaitingApproval: boolean }> {
	requirePermission(caller, 'staff.manage');
	const parsed = roleGrantForm.safeParse(input.form);
	if (!parsed.success) throw new StaffAccountError('invalid', fieldErrors(parsed.error, {}));
	const granted = await db.transaction().execute(async (trx) => {
		const granted = await grantRole(trx, {
			municipalityCode: caller.municipalityCode,
			staffUserId: input.id,
			role: parsed.data.role,
			validFrom: parsed.data.valid_from,
			validUntil: parsed.data.valid_until || null,
			grantedBy: caller.id,
			reason: parsed.data.reason,
			now: new Date()
		});
		await auditAs(trx, caller, {
			action: 'staff.role_grant',
			objectType: 'staff_user',
			objectId: input.id,
			reason: parsed.data.reason,
			result: 'ok',
			payload: { role: parsed.data.role, awaitingApproval: granted.approval_needed }
		});
		return granted;
	});
	// A grant that waits for a second administrator changes nothing yet.
	if (!granted.approval_needed) await endSessionsOf(input.id);
	return { awaitingApproval: granted.approval_needed };
}

/** The second administrator approves a grant of a role that reads 個人番号; refusals audited. */
export async function approveStaffRole(
	db: Database,
	caller: Caller,
	input: { id: string; assignment: string }
): Promise<void> {
	requirePermission(caller, 'staff.manage');
	if (!isUuid(input.assignment)) throw new StaffAccountError('invalid');
	try {
		await db.transaction().execute(async (trx) => {
			const row = await approveRole(trx, {
				assignmentId: input.assignment,
				municipalityCode: caller.municipalityCode,
				approvedBy: caller.id,
				now: new Date()
			});
			if (row.staff_user_id !== input.id) throw new StaffAccountError('not_found');
			await auditAs(trx, caller, {
				action: 'staff.role_approve',
				objectType: 'staff_user',
				objectId: row.staff_user_id,
				result: 'ok',
				payload: { role: row.role_code, grantedBy: row.granted_by }
			});
		});
	} catch (failure) {
		if (failure instanceof StaffAccountError) {
			await auditAs(db, caller, {
				action: 'staff.role_approve',
				objectType: 'staff_user',
				objectId: input.id.slice(0, 64),
				result: 'denied',
				payload: { reason: failure.code }
			});
		}
		throw failure;
	}
	await endSessionsOf(input.id);
}

export async function revokeStaffRole(
	db: Database,
	caller: Caller,
	input: { id: string; assignment: string; reason: string }
): Promise<void> {
	requirePermission(caller, 'staff.manage');
	const reason = reasonSchema.safeParse(input.reason);
	if (!reason.success || !isUuid(input.assignment)) {
		throw new StaffAccountError('reason_required');
	}
	await db.transaction().execute(async (trx) => {
		const row = await revokeRole(trx, {
			assignmentId: input.assignment,
			municipalityCode: caller.municipalityCode,
			revokedBy: caller.id,
			reason: reason.data,
			now: new Date()
		});
		if (row.staff_user_id !== input.id) throw new StaffAccountError('not_found');
		await auditAs(trx, caller, {
			action: 'staff.role_revoke',
			objectType: 'staff_user',
			objectId: row.staff_user_id,
			reason: reason.data,
			result: 'ok',
			payload: { role: row.role_code }
		});
	});
	await endSessionsOf(input.id);
}

/** 異動・退職 (ACL-3): the account stops at once; its passkeys are revoked with it. */
export async function deactivateStaffMember(
	db: Database,
	caller: Caller,
	input: { id: string; reason: string }
): Promise<void> {
	requirePermission(caller, 'staff.manage');
	const reason = reasonSchema.safeParse(input.reason);
	if (!reason.success) throw new StaffAccountError('reason_required');
	await db.transaction().execute(async (trx) => {
		await deactivateStaffUser(trx, {
			staffUserId: input.id,
			municipalityCode: caller.municipalityCode,
			by: caller.id,
			reason: reason.data,
			now: new Date()
		});
		await auditAs(trx, caller, {
			action: 'staff.deactivate',
			objectType: 'staff_user',
			objectId: input.id,
			reason: reason.data,
			result: 'ok'
		});
	});
}

/** A new registration link for an active colleague (a lost or new authenticator). */
export async function newStaffLink(
	db: Database,
	caller: Caller,
	input: { id: string }
): Promise<{ link: string }> {
	requirePermission(caller, 'staff.manage');
	const user = isUuid(input.id)
		? await db
				.selectFrom('staff_user')
				.select('id')
				.where('id', '=', input.id)
				.where('municipality_code', '=', caller.municipalityCode)
				.where('active', '=', true)
				.executeTakeFirst()
		: undefined;
	if (!user) throw new StaffAccountError('not_found');
	const token = await db.transaction().execute(async (trx) => {
		const { token, enrolment } = await issueStaffLink(trx, {
			municipalityCode: caller.municipalityCode,
			staffUserId: user.id,
			issuedBy: caller.id,
			now: new Date()
		});
		await auditEnrolmentIssued(trx, enrolment, {
			actor: actorOf(caller),
			context: caller.context
		});
		return token;
	});
	return { link: registrationUrl(token) };
}
