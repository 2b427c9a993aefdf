// Form handling for staff administration (admin role, permission staff.manage). Every change is
// audited with its reason, and the affected person's sessions end so new rights apply at once.
import { actorOf } from '../audit/caller';
import { staffCaller } from '../http/caller';
import { fail, type RequestEvent } from '@sveltejs/kit';
import { z } from 'zod';
import { m } from '$lib/paraglide/messages';
import { recordAudit } from '../audit/record';
import { auditEnrolmentIssued, issueStaffLink } from '../auth/enrolment';
import { sessionManagers } from '../auth/relying-party';
import { config } from '../config';
import { db } from '../db';
import { onboardStaff } from './onboarding';
import {
	approveRole,
	deactivateStaffUser,
	grantRole,
	revokeRole,
	StaffAccountError
} from './accounts';
import { requirePermission } from './permissions';
import { formOf } from '../http/form';
import { isUuid } from '../ids';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

const newUserSchema = z.object({
	login_id: z
		.string()
		.trim()
		.regex(/^[a-z0-9][a-z0-9._-]{1,31}$/),
	display_name: z.string().trim().min(1).max(60),
	department_ja: z.string().trim().min(1).max(60),
	department_en: z.string().trim().max(60).optional(),
	role: z.string().regex(/^[a-z_]{2,32}$/),
	valid_from: date,
	valid_until: date.or(z.literal('')).optional(),
	reason: z.string().trim().min(1).max(200)
});

export function registrationUrl(token: string): string {
	return `${config().origin}/staff/register/${token}`;
}

function values(form: FormData): Record<string, string> {
	return Object.fromEntries(
		[...form.entries()].map(([key, value]) => [key, String(value).slice(0, 200)])
	);
}

export async function createUserAction(event: RequestEvent) {
	const admin = requirePermission(event.locals, 'staff.manage');
	const form = values(await formOf(event.request));
	const parsed = newUserSchema.safeParse(form);
	if (!parsed.success) {
		return fail(400, {
			values: form,
			message: m.staff_form_invalid(),
			field: String(parsed.error.issues[0]?.path[0] ?? '')
		});
	}
	const input = parsed.data;
	const now = new Date();
	try {
		const { user, token } = await db()
			.transaction()
			.execute((trx) =>
				onboardStaff(
					trx,
					{
						municipalityCode: admin.municipalityCode,
						loginId: input.login_id,
						displayName: input.display_name,
						departmentJa: input.department_ja,
						departmentEn: input.department_en || input.department_ja,
						roles: [
							{
								role: input.role,
								validFrom: input.valid_from,
								validUntil: input.valid_until || null
							}
						],
						createdBy: admin.id,
						reason: input.reason,
						now
					},
					{ actor: actorOf(staffCaller(event.locals)), context: event.locals.audit }
				)
			);
		return { created: { id: user.id, loginId: user.login_id, link: registrationUrl(token) } };
	} catch (error) {
		if (error instanceof StaffAccountError) {
			return fail(400, {
				values: form,
				message: error.code === 'login_taken' ? m.staff_login_taken() : m.staff_form_invalid(),
				field: error.code === 'login_taken' ? 'login_id' : 'role'
			});
		}
		throw error;
	}
}

const reasonSchema = z.string().trim().min(1).max(200);

export async function grantRoleAction(event: RequestEvent, staffUserId: string) {
	const admin = requirePermission(event.locals, 'staff.manage');
	const form = values(await formOf(event.request));
	let granted: Awaited<ReturnType<typeof grantRole>> | undefined;
	const parsed = z
		.object({
			role: z.string().regex(/^[a-z_]{2,32}$/),
			valid_from: date,
			valid_until: date.or(z.literal('')).optional(),
			reason: reasonSchema
		})
		.safeParse(form);
	if (!parsed.success) return fail(400, { values: form, message: m.staff_form_invalid() });
	try {
		await db()
			.transaction()
			.execute(async (trx) => {
				granted = await grantRole(trx, {
					municipalityCode: admin.municipalityCode,
					staffUserId,
					role: parsed.data.role,
					validFrom: parsed.data.valid_from,
					validUntil: parsed.data.valid_until || null,
					grantedBy: admin.id,
					reason: parsed.data.reason,
					now: new Date()
				});
				await recordAudit(trx, {
					municipalityCode: admin.municipalityCode,
					actor: actorOf(staffCaller(event.locals)),
					context: event.locals.audit,
					action: 'staff.role_grant',
					objectType: 'staff_user',
					objectId: staffUserId,
					reason: parsed.data.reason,
					result: 'ok',
					payload: { role: parsed.data.role, awaitingApproval: granted.approval_needed }
				});
			});
	} catch (error) {
		if (error instanceof StaffAccountError)
			return fail(400, { values: form, message: m.staff_form_invalid() });
		throw error;
	}
	// A grant that waits for a second administrator changes nothing yet.
	if (granted?.approval_needed) return { granted: true, awaitingApproval: true };
	// New rights, new session: the person signs in again (a new session id on privilege change).
	await sessionManagers().staff.endAll(staffUserId);
	return { granted: true, awaitingApproval: false };
}

/** The second administrator approves a grant of a role that reads 個人番号. */
export async function approveRoleAction(event: RequestEvent, staffUserId: string) {
	const admin = requirePermission(event.locals, 'staff.manage');
	const form = values(await formOf(event.request));
	if (!isUuid(form.assignment ?? '')) {
		return fail(400, { values: form, message: m.staff_form_invalid() });
	}
	try {
		await db()
			.transaction()
			.execute(async (trx) => {
				const row = await approveRole(trx, {
					assignmentId: form.assignment!,
					municipalityCode: admin.municipalityCode,
					approvedBy: admin.id,
					now: new Date()
				});
				if (row.staff_user_id !== staffUserId) throw new StaffAccountError('not_found');
				await recordAudit(trx, {
					municipalityCode: admin.municipalityCode,
					actor: actorOf(staffCaller(event.locals)),
					context: event.locals.audit,
					action: 'staff.role_approve',
					objectType: 'staff_user',
					objectId: row.staff_user_id,
					result: 'ok',
					payload: { role: row.role_code, grantedBy: row.granted_by }
				});
			});
	} catch (error) {
		if (error instanceof StaffAccountError) {
			await recordAudit(db(), {
				municipalityCode: admin.municipalityCode,
				actor: actorOf(staffCaller(event.locals)),
				context: event.locals.audit,
				action: 'staff.role_approve',
				objectType: 'staff_user',
				objectId: staffUserId,
				result: 'denied',
				payload: { reason: error.code }
			});
			return fail(error.code === 'self' ? 403 : 404, {
				values: form,
				message: error.code === 'self' ? m.staff_role_approve_self() : m.staff_form_invalid()
			});
		}
		throw error;
	}
	await sessionManagers().staff.endAll(staffUserId);
	return { approved: true };
}

export async function revokeRoleAction(event: RequestEvent, staffUserId: string) {
	const admin = requirePermission(event.locals, 'staff.manage');
	const form = values(await formOf(event.request));
	const reason = reasonSchema.safeParse(form.reason);
	if (!reason.success || !isUuid(form.assignment ?? '')) {
		return fail(400, { values: form, message: m.staff_reason_required() });
	}
	try {
		await db()
			.transaction()
			.execute(async (trx) => {
				const row = await revokeRole(trx, {
					assignmentId: form.assignment!,
					municipalityCode: admin.municipalityCode,
					revokedBy: admin.id,
					reason: reason.data,
					now: new Date()
				});
				await recordAudit(trx, {
					municipalityCode: admin.municipalityCode,
					actor: actorOf(staffCaller(event.locals)),
					context: event.locals.audit,
					action: 'staff.role_revoke',
					objectType: 'staff_user',
					objectId: row.staff_user_id,
					reason: reason.data,
					result: 'ok',
					payload: { role: row.role_code }
				});
				if (row.staff_user_id !== staffUserId) throw new StaffAccountError('not_found');
			});
	} catch (error) {
		if (error instanceof StaffAccountError)
			return fail(404, { values: form, message: m.staff_form_invalid() });
		throw error;
	}
	await sessionManagers().staff.endAll(staffUserId);
	return { revoked: true };
}

export async function deactivateAction(event: RequestEvent, staffUserId: string) {
	const admin = requirePermission(event.locals, 'staff.manage');
	const form = values(await formOf(event.request));
	const reason = reasonSchema.safeParse(form.reason);
	if (!reason.success) return fail(400, { values: form, message: m.staff_reason_required() });
	try {
		await db()
			.transaction()
			.execute(async (trx) => {
				await deactivateStaffUser(trx, {
					staffUserId,
					municipalityCode: admin.municipalityCode,
					by: admin.id,
					reason: reason.data,
					now: new Date()
				});
				await recordAudit(trx, {
					municipalityCode: admin.municipalityCode,
					actor: actorOf(staffCaller(event.locals)),
					context: event.locals.audit,
					action: 'staff.deactivate',
					objectType: 'staff_user',
					objectId: staffUserId,
					reason: reason.data,
					result: 'ok'
				});
			});
	} catch (error) {
		if (error instanceof StaffAccountError)
			return fail(400, {
				values: form,
				message: error.code === 'self' ? m.staff_cannot_deactivate_self() : m.staff_form_invalid()
			});
		throw error;
	}
	return { deactivated: true };
}

export async function newLinkAction(event: RequestEvent, staffUserId: string) {
	const admin = requirePermission(event.locals, 'staff.manage');
	const user = await db()
		.selectFrom('staff_user')
		.select('id')
		.where('id', '=', staffUserId)
		.where('municipality_code', '=', admin.municipalityCode)
		.where('active', '=', true)
		.executeTakeFirst();
	if (!user) return fail(404, { message: m.staff_form_invalid() });
	const token = await db()
		.transaction()
		.execute(async (trx) => {
			const { token, enrolment } = await issueStaffLink(trx, {
				municipalityCode: admin.municipalityCode,
				staffUserId,
				issuedBy: admin.id,
				now: new Date()
			});
			await auditEnrolmentIssued(trx, enrolment, {
				actor: actorOf(staffCaller(event.locals)),
				context: event.locals.audit
			});
			return token;
		});
	return { link: registrationUrl(token) };
}
