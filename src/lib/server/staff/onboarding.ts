// A new colleague in one step, from the admin screen or the staff:create command: the account,
// its first role, a one-time passkey registration link, and the audit entries for all three.
import type { AuditContext, Actor } from '../audit/record';
import { recordAudit } from '../audit/record';
import { auditEnrolmentIssued, issueStaffLink } from '../auth/enrolment';
import type { Executor } from '../db';
import { createStaffUser, type StaffUser } from './accounts';

export async function onboardStaff(
	trx: Executor,
	input: Parameters<typeof createStaffUser>[1],
	audit: { actor: Actor; context?: AuditContext }
): Promise<{ user: StaffUser; token: string }> {
	const user = await createStaffUser(trx, input);
	const { token, enrolment } = await issueStaffLink(trx, {
		municipalityCode: input.municipalityCode,
		staffUserId: user.id,
		issuedBy: input.createdBy,
		now: input.now
	});
	const base = { municipalityCode: input.municipalityCode, ...audit, result: 'ok' as const };
	await recordAudit(trx, {
		...base,
		action: 'staff.create',
		objectType: 'staff_user',
		objectId: user.id,
		payload: { login_id: user.login_id }
	});
	for (const role of input.roles) {
		await recordAudit(trx, {
			...base,
			action: 'staff.role_grant',
			objectType: 'staff_user',
			objectId: user.id,
			reason: input.reason,
			payload: { role: role.role, valid_from: role.validFrom, valid_until: role.validUntil }
		});
	}
	await auditEnrolmentIssued(trx, enrolment, audit);
	return { user, token };
}
