// Applications as records: drafts saved at every step (resumable on any device), the signed
// submission that turns a draft into a case, and what the applicant may see of it.
import { sql, type ExpressionBuilder, type Selectable } from 'kysely';
import { canonicalJson } from '../audit/chain';
import { recordAudit, type Actor, type AuditContext } from '../audit/record';
import { notify } from '../notifications/notices';
import type { SignedAct } from '../auth/signing';
import type { DB, Executor } from '../db';
import { representedBy, type AccountOwner } from '../residents/household';
import { nextStatus, residentMay, type Status } from './status';
import { residentStatus } from '../workflow/status';
import { isUuid } from '../ids';

export type Application = Selectable<DB['application']>;

/** Days the city gives itself for each request once received (the queues' "due soon"). */
export const dueDays: Record<string, number> = {
	reissue: 7,
	certificate: 14,
	outside_request: 14,
	relief: 30
};

/** A new draft; the same start key again (a double tap, a resend) returns the same draft. */
export async function createDraft(
	db: Executor,
	input: {
		municipalityCode: string;
		accountId: string;
		kind: Application['kind'];
		startKey?: string;
		now: Date;
	}
): Promise<Application> {
	const created = await db
		.insertInto('application')
		.values({
			municipality_code: input.municipalityCode,
			applicant_account_id: input.accountId,
			kind: input.kind,
			status: 'draft',
			start_key: input.startKey ?? null,
			created_at: input.now,
			updated_at: input.now
		})
		.onConflict((conflict) => conflict.columns(['applicant_account_id', 'start_key']).doNothing())
		.returningAll()
		.executeTakeFirst();
	if (created) return created;
	return db
		.selectFrom('application')
		.selectAll()
		.where('applicant_account_id', '=', input.accountId)
		.where('start_key', '=', input.startKey!)
		.executeTakeFirstOrThrow();
}

/** Applications this account made about itself or a child it represents now (or no one yet). */
function visibleTo(account: AccountOwner, now: Date) {
	const represented = representedBy(account, now);
	return (eb: ExpressionBuilder<DB, 'application'>) =>
		eb.and([
			eb('applicant_account_id', '=', account.id),
			eb.or([
				eb('subject_atena_number', 'is', null),
				represented(eb, eb.ref('subject_atena_number'))
			])
		]);
}

/**
 * An application of this account that it may still see: its own, or a child's it represents now.
 * A draft has no subject until its first step. Once a DV 支援措置 is recorded or the child turns
 * 18, the guardian's applications for that child are gone from the portal (issue 24, item 5).
 */
export async function ownApplication(
	db: Executor,
	account: AccountOwner,
	id: string,
	now: Date
): Promise<Application | null> {
	if (!isUuid(id)) return null;
	const row = await db
		.selectFrom('application')
		.selectAll()
		.where('id', '=', id)
		.where(visibleTo(account, now))
		.executeTakeFirst();
	return row ?? null;
}

/** Merges a step's answers into the draft; only while the applicant may still edit it. */
export async function saveDraft(
	db: Executor,
	application: Application,
	values: Record<string, unknown>,
	extra: { subjectAtenaNumber?: string; now: Date }
): Promise<boolean> {
	const result = await db
		.updateTable('application')
		.set({
			draft: sql`draft || ${JSON.stringify(values)}::jsonb`,
			subject_atena_number: extra.subjectAtenaNumber ?? application.subject_atena_number,
			updated_at: extra.now
		})
		.where('id', '=', application.id)
		.where('status', 'in', ['draft', 'returned'])
		.executeTakeFirst();
	return result.numUpdatedRows === 1n;
}

export class SubmissionError extends Error {
	override name = 'SubmissionError';
	constructor(readonly code: 'payload_mismatch' | 'not_editable') {
		super(code);
	}
}

/**
 * The signed act becomes the application's next version, in one transaction with its status
 * change, the transition and the audit entry. The act must cover exactly `expectedPayload`; a
 * second submission of the same draft finds it no longer a draft and changes nothing.
 */
export async function submitSigned(
	db: Executor,
	input: {
		application: Application;
		act: SignedAct;
		expectedPayload: unknown;
		actor: Actor;
		context: AuditContext;
		portalUrl?: string;
		now: Date;
	}
): Promise<Application> {
	const { application, act } = input;
	if (act.kind !== 'submit' || act.payload !== canonicalJson(input.expectedPayload)) {
		throw new SubmissionError('payload_mismatch');
	}
	const from = application.status as Status;
	if (!residentMay(from, 'submit')) throw new SubmissionError('not_editable');
	const to = nextStatus(from, {
		by: 'resident',
		action: from === 'returned' ? 'resubmit' : 'submit'
	});
	const run = async (trx: Executor) => {
		const updated = await trx
			.updateTable('application')
			.set({
				// The back office sees a resubmission as new again; whoever held it still holds it.
				stage: 'new',
				status: residentStatus('new'),
				due_on: sql`coalesce(due_on, (${input.now}::timestamptz AT TIME ZONE 'Asia/Tokyo')::date + ${dueDays[application.kind] ?? 14}::int)`,
				current_version: sql`current_version + 1`,
				submitted_at: input.now,
				updated_at: input.now,
				return_items: null,
				reference: sql`coalesce(reference, 'R' || to_char(${input.now}::timestamptz AT TIME ZONE 'Asia/Tokyo', 'YYYYMMDD') || '-' || lpad(nextval('application_reference_seq')::text, 6, '0'))`
			})
			.where('id', '=', application.id)
			.where('status', '=', from)
			.returningAll()
			.executeTakeFirst();
		if (!updated) throw new SubmissionError('not_editable');
		await trx
			.insertInto('application_version')
			.values({
				application_id: application.id,
				version: updated.current_version,
				payload: act.payload,
				signed_act_id: act.id,
				created_at: input.now
			})
			.execute();
		await recordTransition(trx, input, {
			from,
			to,
			action: 'application.submit',
			detail: { version: updated.current_version }
		});
		return updated;
	};
	return db.isTransaction ? run(db) : db.transaction().execute(run);
}

/** A resident's signed transition: its row in the history and its audit entry, together. */
async function recordTransition(
	trx: Executor,
	input: {
		application: Application;
		act: SignedAct;
		actor: Actor;
		context: AuditContext;
		portalUrl?: string;
		now: Date;
	},
	change: {
		from: Status;
		to: Status;
		action: 'application.submit' | 'application.withdraw';
		detail: Record<string, unknown>;
	}
): Promise<void> {
	const { application } = input;
	await trx
		.insertInto('application_transition')
		.values({
			application_id: application.id,
			from_status: change.from,
			to_status: change.to,
			actor_type: 'resident',
			actor_id: input.actor.id,
			signed_act_id: input.act.id,
			action: change.action === 'application.submit' ? 'submit' : 'withdraw',
			stage: change.to === 'withdrawn' ? 'withdrawn' : 'new',
			at: input.now
		})
		.execute();
	await notify(trx, {
		municipalityCode: application.municipality_code,
		accountId: application.applicant_account_id,
		kind: change.action === 'application.submit' ? 'application_received' : 'application_withdrawn',
		applicationId: application.id,
		portalUrl: input.portalUrl,
		now: input.now
	});
	await recordAudit(trx, {
		municipalityCode: application.municipality_code,
		actor: input.actor,
		context: input.context,
		action: change.action,
		subjectAtenaNumber: application.subject_atena_number ?? undefined,
		objectType: 'application',
		objectId: application.id,
		result: 'ok',
		payload: { kind: application.kind, ...change.detail }
	});
}

/**
 * The account's open drafts, its own and its children's it represents now, newest first (what it
 * has sent is published to the portal zone: projection.ts).
 */
export async function ownDraftRows(db: Executor, account: AccountOwner, now: Date) {
	return db
		.selectFrom('application')
		.select([
			'id',
			'kind',
			'status',
			'reference',
			'updated_at',
			'submitted_at',
			'subject_atena_number'
		])
		.where(visibleTo(account, now))
		.where('status', '=', 'draft')
		.orderBy('updated_at', 'desc')
		.limit(50)
		.execute();
}

export async function transitionsOf(db: Executor, applicationId: string) {
	return db
		.selectFrom('application_transition')
		.select([
			'from_status',
			'to_status',
			'actor_type',
			'actor_id',
			'action',
			'reason',
			'items',
			'at'
		])
		.where('application_id', '=', applicationId)
		.orderBy('at')
		.orderBy('id')
		.execute();
}

// A relief claim can be taken back until the city or the Minister has decided on it; after that
// (支給決定, payments, an appeal) withdrawing it would mean nothing, so it is not offered.
const reliefWithdrawableStages = [
	'received',
	'document_check',
	'awaiting_documents',
	'committee',
	'forward_pending',
	'forwarded',
	'national_review'
];

/** Whether the resident may still withdraw this application. */
export async function withdrawable(db: Executor, application: Application): Promise<boolean> {
	// Only a relief claim that may be withdrawn at all needs its stage read.
	if (application.kind !== 'relief' || !residentMay(application.status as Status, 'withdraw'))
		return withdrawableIn(application, null);
	const relief = await db
		.selectFrom('relief_case')
		.select('stage')
		.where('application_id', '=', application.id)
		.executeTakeFirst();
	return withdrawableIn(application, relief?.stage ?? null);
}

/** The same, knowing a relief claim's stage (null: no claim, or not a relief application). */
export function withdrawableIn(
	application: Pick<Application, 'status' | 'kind'>,
	reliefStage: string | null
): boolean {
	if (!residentMay(application.status as Status, 'withdraw')) return false;
	return (
		application.kind !== 'relief' ||
		reliefStage === null ||
		reliefWithdrawableStages.includes(reliefStage)
	);
}

/** 取下げ: the signed act must cover this application's withdrawal; open states only. */
export async function withdrawSigned(
	db: Executor,
	input: {
		application: Application;
		act: SignedAct;
		actor: Actor;
		context: AuditContext;
		portalUrl?: string;
		now: Date;
	}
): Promise<Application> {
	const { application, act } = input;
	if (act.kind !== 'withdraw' || act.payload !== canonicalJson(withdrawalPayload(application))) {
		throw new SubmissionError('payload_mismatch');
	}
	const from = application.status as Status;
	if (!(await withdrawable(db, application))) throw new SubmissionError('not_editable');
	const to = nextStatus(from, { by: 'resident', action: 'withdraw' });
	const run = async (trx: Executor) => {
		const updated = await trx
			.updateTable('application')
			.set({ stage: 'withdrawn', status: residentStatus('withdrawn'), updated_at: input.now })
			.where('id', '=', application.id)
			.where('status', '=', from)
			.returningAll()
			.executeTakeFirst();
		if (!updated) throw new SubmissionError('not_editable');
		await recordTransition(trx, input, {
			from,
			to,
			action: 'application.withdraw',
			detail: { from }
		});
		return updated;
	};
	return db.isTransaction ? run(db) : db.transaction().execute(run);
}

/** What a withdrawal signs: which application, in which state it was withdrawn. */
export function withdrawalPayload(application: Application) {
	return {
		application_id: application.id,
		kind: application.kind,
		reference: application.reference,
		status: application.status,
		version: application.current_version
	};
}

export const draftLifetimeDays = 30;

/**
 * Drafts untouched for 30 days are deleted (their answers and files with them) and the applicant
 * told so. Each draft is deleted by exactly one caller, so two processes never notify twice.
 */
export async function expireDrafts(
	db: Executor,
	input: { portalUrl?: string; now: Date }
): Promise<number> {
	const cutoff = new Date(input.now.getTime() - draftLifetimeDays * 86_400_000);
	return db.transaction().execute(async (trx) => {
		const expired = await trx
			.deleteFrom('application')
			.where('status', '=', 'draft')
			.where('updated_at', '<', cutoff)
			.returning(['id', 'municipality_code', 'applicant_account_id', 'kind'])
			.execute();
		for (const draft of expired) {
			await notify(trx, {
				municipalityCode: draft.municipality_code,
				accountId: draft.applicant_account_id,
				kind: 'draft_expired',
				portalUrl: input.portalUrl,
				now: input.now
			});
			await recordAudit(trx, {
				municipalityCode: draft.municipality_code,
				actor: { type: 'system', id: 'draft-expiry', role: 'system' },
				context: { requestId: crypto.randomUUID(), ip: null, userAgent: null, sessionHash: null },
				action: 'application.expire',
				objectType: 'application',
				objectId: draft.id,
				result: 'ok',
				payload: { kind: draft.kind, days: draftLifetimeDays }
			});
		}
		return expired.length;
	});
}
