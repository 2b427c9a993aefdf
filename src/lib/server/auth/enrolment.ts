// Identity proofing: a person is bound to a passkey only after the city has proven who they are,
// once, by one of three routes (issue 3; research §6 A.11 "recovery equals enrolment"):
// - letter: a code mailed to the registered address, used with the birth date;
// - desk: staff saw identity documents (ID-1..3) and hand over a short-lived link as a QR code;
// - staff: an administrator (or the staff:create command) hands a new colleague a link.
// Secrets are stored hashed, single use and expiring. Between the check and the passkey ceremony
// the enrolment is claimed by one browser (its ceremony cookie) for 15 minutes.
import type { Selectable } from 'kysely';
import { recordAudit, type Actor, type AuditContext } from '../audit/record';
import type { DB, Executor } from '../db';
import { AuthFailure } from './failures';
import { newLetterCode, normalizeLetterCode, randomToken, sha256 } from './tokens';

export type Enrolment = Selectable<DB['enrolment']>;

export const letterCodeLifetimeDays = 30;
export const deskLinkLifetimeMinutes = 15;
export const staffLinkLifetimeHours = 72;
export const claimLifetimeMinutes = 15;
export const maxFailedAttempts = 5;

export const identityDocuments = {
	/** ID-1: マイナンバーカード */
	my_number_card: 'ID-1',
	/** ID-2: 通知カード + 写真付き身分証明書 */
	notification_card_with_photo_id: 'ID-2',
	/** ID-3: 写真付き身分証明書 (運転免許証, 旅券, 在留カード …) */
	photo_id: 'ID-3',
	/** ID-3: 写真のない証明書 (健康保険証 …) 2 点 + 登録事項の質問 */
	non_photo_id_with_questions: 'ID-3'
} as const;
export type IdentityDocument = keyof typeof identityDocuments;

const day = 86_400_000;

async function cancelOpen(
	db: Executor,
	where: { municipalityCode: string; atenaNumber?: string; staffUserId?: string },
	route: Enrolment['route'],
	now: Date
) {
	let query = db
		.updateTable('enrolment')
		.set({ cancelled_at: now })
		.where('municipality_code', '=', where.municipalityCode)
		.where('route', '=', route)
		.where('used_at', 'is', null)
		.where('cancelled_at', 'is', null);
	query = where.atenaNumber
		? query.where('atena_number', '=', where.atenaNumber)
		: query.where('staff_user_id', '=', where.staffUserId!);
	await query.execute();
}

/** A new letter code for a resident; the previous unused one stops working (the newest letter wins). */
export async function issueLetterCode(
	db: Executor,
	input: { municipalityCode: string; atenaNumber: string; issuedBy: string | null; now: Date }
): Promise<{ enrolment: Enrolment; code: string }> {
	await cancelOpen(db, input, 'letter', input.now);
	const code = newLetterCode();
	const enrolment = await db
		.insertInto('enrolment')
		.values({
			municipality_code: input.municipalityCode,
			route: 'letter',
			atena_number: input.atenaNumber,
			secret_hash: sha256(normalizeLetterCode(code)!),
			issued_by: input.issuedBy,
			issued_at: input.now,
			expires_at: new Date(input.now.getTime() + letterCodeLifetimeDays * day)
		})
		.returningAll()
		.executeTakeFirstOrThrow();
	return { enrolment, code };
}

export async function issueDeskLink(
	db: Executor,
	input: {
		municipalityCode: string;
		atenaNumber: string;
		identityDocuments: IdentityDocument[];
		issuedBy: string;
		now: Date;
	}
): Promise<{ enrolment: Enrolment; token: string }> {
	if (input.identityDocuments.length === 0) throw new Error('the documents seen must be recorded');
	await cancelOpen(db, input, 'desk', input.now);
	const token = randomToken();
	const enrolment = await db
		.insertInto('enrolment')
		.values({
			municipality_code: input.municipalityCode,
			route: 'desk',
			atena_number: input.atenaNumber,
			secret_hash: sha256(token),
			identity_documents: input.identityDocuments,
			issued_by: input.issuedBy,
			issued_at: input.now,
			expires_at: new Date(input.now.getTime() + deskLinkLifetimeMinutes * 60_000)
		})
		.returningAll()
		.executeTakeFirstOrThrow();
	return { enrolment, token };
}

export async function issueStaffLink(
	db: Executor,
	input: { municipalityCode: string; staffUserId: string; issuedBy: string | null; now: Date }
): Promise<{ enrolment: Enrolment; token: string }> {
	await cancelOpen(db, input, 'staff', input.now);
	const token = randomToken();
	const enrolment = await db
		.insertInto('enrolment')
		.values({
			municipality_code: input.municipalityCode,
			route: 'staff',
			staff_user_id: input.staffUserId,
			secret_hash: sha256(token),
			issued_by: input.issuedBy,
			issued_at: input.now,
			expires_at: new Date(input.now.getTime() + staffLinkLifetimeHours * 3_600_000)
		})
		.returningAll()
		.executeTakeFirstOrThrow();
	return { enrolment, token };
}

function refuseUnusable(enrolment: Enrolment, now: Date): void {
	if (enrolment.used_at) throw new EnrolmentFailure('code_used', enrolment);
	if (enrolment.cancelled_at) throw new EnrolmentFailure('code_expired', enrolment, 'superseded');
	if (enrolment.locked_at) throw new EnrolmentFailure('code_locked', enrolment);
	if (enrolment.expires_at.getTime() <= now.getTime())
		throw new EnrolmentFailure('code_expired', enrolment);
}

export class EnrolmentFailure extends AuthFailure {
	constructor(
		reason: AuthFailure['reason'],
		readonly enrolment: Enrolment | null,
		detail?: string
	) {
		super(reason, detail);
	}
}

async function claim(db: Executor, enrolment: Enrolment, ceremonyHash: Buffer, now: Date) {
	return db
		.updateTable('enrolment')
		.set({
			claimed_ceremony_hash: ceremonyHash,
			claimed_until: new Date(now.getTime() + claimLifetimeMinutes * 60_000)
		})
		.where('id', '=', enrolment.id)
		.returningAll()
		.executeTakeFirstOrThrow();
}

/**
 * Checks a letter code with the birth date. Any mismatch is one failure reason to the person
 * ('code_invalid'); a wrong birth date counts against the code, which locks after five.
 */
export async function claimLetterCode(
	db: Executor,
	input: { code: string; birthDate: string; ceremonyHash: Buffer; now: Date }
): Promise<Enrolment> {
	const normalized = normalizeLetterCode(input.code);
	if (!normalized) throw new EnrolmentFailure('code_invalid', null, 'not a code');
	const enrolment = await db
		.selectFrom('enrolment')
		.selectAll()
		.where('secret_hash', '=', sha256(normalized))
		.where('route', '=', 'letter')
		.executeTakeFirst();
	if (!enrolment) throw new EnrolmentFailure('code_invalid', null, 'unknown code');
	refuseUnusable(enrolment, input.now);
	const resident = await db
		.selectFrom('resident')
		.select(['birth_date', 'status'])
		.where('municipality_code', '=', enrolment.municipality_code)
		.where('atena_number', '=', enrolment.atena_number!)
		.executeTakeFirstOrThrow();
	if (resident.birth_date !== input.birthDate) {
		// Counted atomically and committed on its own (callers pass no transaction), so parallel
		// guesses cannot share one count and a failure is never rolled back.
		const updated = await db
			.updateTable('enrolment')
			.set((eb) => ({
				failed_attempts: eb('failed_attempts', '+', 1),
				locked_at: eb
					.case()
					.when('failed_attempts', '>=', maxFailedAttempts - 1)
					.then(input.now)
					.else(eb.ref('locked_at'))
					.end()
			}))
			.where('id', '=', enrolment.id)
			.returningAll()
			.executeTakeFirstOrThrow();
		const failed = updated.failed_attempts;
		throw new EnrolmentFailure(
			failed >= maxFailedAttempts ? 'code_locked' : 'code_invalid',
			updated,
			`birth date mismatch ${failed}/${maxFailedAttempts}`
		);
	}
	if (resident.status !== 'resident')
		throw new EnrolmentFailure('code_invalid', enrolment, 'not a resident');
	return claim(db, enrolment, input.ceremonyHash, input.now);
}

/** Opens a desk or staff link (the secret is the link itself). */
export async function claimLink(
	db: Executor,
	input: { route: 'desk' | 'staff'; token: string; ceremonyHash: Buffer; now: Date }
): Promise<Enrolment> {
	if (!/^[A-Za-z0-9_-]{43}$/.test(input.token)) throw new EnrolmentFailure('code_invalid', null);
	const enrolment = await db
		.selectFrom('enrolment')
		.selectAll()
		.where('secret_hash', '=', sha256(input.token))
		.where('route', '=', input.route)
		.executeTakeFirst();
	if (!enrolment) throw new EnrolmentFailure('code_invalid', null, 'unknown link');
	refuseUnusable(enrolment, input.now);
	return claim(db, enrolment, input.ceremonyHash, input.now);
}

/** The enrolment this browser holds, if any, still usable. */
export async function claimedEnrolment(
	db: Executor,
	input: { ceremonyHash: Buffer; route: 'resident' | 'staff'; now: Date }
): Promise<Enrolment | null> {
	const row = await db
		.selectFrom('enrolment')
		.selectAll()
		.where('claimed_ceremony_hash', '=', input.ceremonyHash)
		.where('claimed_until', '>', input.now)
		.where('used_at', 'is', null)
		.where('cancelled_at', 'is', null)
		.where('locked_at', 'is', null)
		.where('expires_at', '>', input.now)
		.where('route', input.route === 'staff' ? '=' : '<>', 'staff')
		.orderBy('claimed_until', 'desc')
		.executeTakeFirst();
	return row ?? null;
}

/** Marks the enrolment used; false when another request used it first. */
export async function markUsed(db: Executor, enrolmentId: string, now: Date): Promise<boolean> {
	const result = await db
		.updateTable('enrolment')
		.set({ used_at: now })
		.where('id', '=', enrolmentId)
		.where('used_at', 'is', null)
		.executeTakeFirst();
	return result.numUpdatedRows === 1n;
}

/** The audit entry for an issued code or link, in the transaction that issued it. */
export async function auditEnrolmentIssued(
	trx: Executor,
	enrolment: Enrolment,
	audit: { actor: Actor; context?: AuditContext; detail?: Record<string, unknown> }
): Promise<void> {
	await recordAudit(trx, {
		municipalityCode: enrolment.municipality_code,
		actor: audit.actor,
		context: audit.context,
		action: 'auth.enrolment_issue',
		subjectAtenaNumber: enrolment.atena_number ?? undefined,
		objectType: 'enrolment',
		objectId: enrolment.id,
		result: 'ok',
		payload: { route: enrolment.route, ...audit.detail }
	});
}
