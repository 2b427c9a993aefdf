// A mailing batch from preview to 発送済: the preview counts (nothing stored), the batch fixed
// with its recipients and parts in one transaction, cancellation, progress, and marking the
// batch as mailed. Every step is audited with counts, never with the people in it (they are in
// mailing_recipient, which the batch id points to).
import { m } from '$lib/paraglide/messages';
import { DomainError } from '../errors';
import { randomUUID } from 'node:crypto';
import { sql, type Updateable } from 'kysely';
import type { DB, Executor, Database } from '../db';
import { lockFormKey } from '../db/form-key';
import { recordAudit, type Actor, type AuditContext } from '../audit/record';
import { tokyoDate } from '../time';
import { countByDose, findRecipients, type MailingCriteria } from './selection';

/** People per part: one transaction and one PDF each (about a minute of work at most). */
export const recipientsPerPart = 100;

export type MailingRefusal =
	| 'empty'
	| 'not_found'
	| 'state'
	| 'too_large'
	| 'invalid'
	| 'born_order'
	| 'born_required'
	| 'vaccine_required'
	| 'sent_on';

export class MailingError extends DomainError<MailingRefusal> {
	protected readonly messages = {
		empty: m.mailing_error_empty,
		// A batch that is not there, or not in the step asked for, is the same answer to the page.
		not_found: m.mailing_error_state,
		state: m.mailing_error_state,
		too_large: m.mailing_error_too_large,
		invalid: m.mailing_error_invalid,
		born_order: m.mailing_error_born_order,
		born_required: m.mailing_error_born_required,
		vaccine_required: m.mailing_error_vaccine_required,
		sent_on: m.mailing_error_sent_on
	};
	constructor(code: MailingRefusal) {
		super(code, code === 'state' || code === 'not_found' ? 409 : 400);
	}
}
const maxRecipients = 200_000;

export async function previewMailing(
	db: Database,
	input: {
		municipalityCode: string;
		criteria: MailingCriteria;
		actor: Actor;
		context?: AuditContext;
		now: Date;
	}
) {
	const today = tokyoDate(input.now);
	const recipients = await findRecipients(db, input.municipalityCode, input.criteria, today);
	const byDose = countByDose(recipients);
	await recordAudit(db, {
		municipalityCode: input.municipalityCode,
		actor: input.actor,
		context: input.context,
		action: 'mailing.preview',
		result: 'ok',
		payload: { criteria: input.criteria, recipients: recipients.length }
	});
	return { recipients: recipients.length, byDose };
}

export async function createMailingBatch(
	db: Database,
	input: {
		municipalityCode: string;
		criteria: MailingCriteria;
		/** The form's one-time key; the same key again returns the batch it made. */
		requestKey?: string;
		actor: Actor;
		context?: AuditContext;
		now: Date;
	}
): Promise<{ id: string; recipients: number; parts: number }> {
	const today = tokyoDate(input.now);
	const requestKey = input.requestKey ?? randomUUID();
	return db.transaction().execute(async (trx) => {
		await lockFormKey(trx, requestKey);
		const existing = await trx
			.selectFrom('mailing_batch')
			.select(['id', 'recipients', 'parts'])
			.where('request_key', '=', requestKey)
			.where('municipality_code', '=', input.municipalityCode)
			.executeTakeFirst();
		if (existing) return existing;
		const recipients = await findRecipients(trx, input.municipalityCode, input.criteria, today);
		if (recipients.length === 0) throw new MailingError('empty');
		if (recipients.length > maxRecipients) throw new MailingError('too_large');
		const parts = Math.ceil(recipients.length / recipientsPerPart);
		const { criteria } = input;
		const batch = await trx
			.insertInto('mailing_batch')
			.values({
				municipality_code: input.municipalityCode,
				kind: criteria.kind,
				criteria: JSON.stringify({
					vaccines: criteria.vaccines,
					bornFrom: criteria.bornFrom ?? null,
					bornUntil: criteria.bornUntil ?? null
				}),
				as_of: today,
				with_questionnaires: criteria.withQuestionnaires,
				status: 'rendering',
				recipients: recipients.length,
				parts,
				created_by: `${input.actor.type}:${input.actor.id}`,
				created_at: input.now,
				request_key: requestKey
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		const prefix = `M${batch.id.slice(0, 8).toUpperCase()}`;
		await sql`INSERT INTO mailing_part (batch_id, part_no, first_seq, last_seq)
			SELECT ${batch.id}::uuid, part, (part - 1) * ${recipientsPerPart} + 1,
				least(part * ${recipientsPerPart}, ${recipients.length}::int)
			FROM generate_series(1, ${parts}::int) AS part`.execute(trx);
		for (let start = 0; start < recipients.length; start += 5000) {
			const rows = recipients.slice(start, start + 5000).map((recipient, index) => {
				const seq = start + index + 1;
				return [
					seq,
					recipient.atenaNumber,
					Math.ceil(seq / recipientsPerPart),
					`${prefix}-${String(seq).padStart(6, '0')}`,
					recipient.doses.map((dose) => ({
						vaccine: dose.vaccineCode,
						dose: dose.doseCode,
						status: dose.status,
						from: dose.from,
						until: dose.until
					}))
				];
			});
			await sql`INSERT INTO mailing_recipient (batch_id, seq, municipality_code, atena_number,
					part_no, document_number, doses)
				SELECT ${batch.id}::uuid, (r->>0)::int, ${input.municipalityCode}, r->>1, (r->>2)::int,
					r->>3, r->4
				FROM jsonb_array_elements(${JSON.stringify(rows)}::jsonb) AS r`.execute(trx);
		}
		await recordAudit(trx, {
			municipalityCode: input.municipalityCode,
			actor: input.actor,
			context: input.context,
			action: 'mailing.create',
			objectType: 'mailing_batch',
			objectId: batch.id,
			result: 'ok',
			payload: { criteria: input.criteria, recipients: recipients.length, parts }
		});
		return { id: batch.id, recipients: recipients.length, parts };
	});
}

export type MailingProgress = {
	id: string;
	kind: string;
	status: string;
	recipients: number;
	parts: number;
	partsDone: number;
	recipientsDone: number;
	createdAt: Date;
	renderedAt: Date | null;
	sentOn: string | null;
	printPages: number | null;
	withQuestionnaires: boolean;
	/** Seconds left at the rate so far, while rendering. */
	etaSeconds: number | null;
};

export async function mailingProgress(
	db: Executor,
	municipalityCode: string,
	batchId: string,
	now: Date
): Promise<MailingProgress | null> {
	const batch = await db
		.selectFrom('mailing_batch')
		.select([
			'id',
			'kind',
			'status',
			'recipients',
			'parts',
			'created_at',
			'rendered_at',
			'sent_on',
			'print_pages',
			'with_questionnaires'
		])
		.where('municipality_code', '=', municipalityCode)
		.where('id', '=', batchId)
		.executeTakeFirst();
	if (!batch) return null;
	const done = await db
		.selectFrom('mailing_part')
		.select([
			sql<number>`count(*)::int`.as('parts'),
			sql<number>`coalesce(sum(last_seq - first_seq + 1), 0)::int`.as('recipients'),
			sql<Date | null>`min(rendered_at)`.as('first')
		])
		.where('batch_id', '=', batchId)
		.where('rendered_at', 'is not', null)
		.executeTakeFirstOrThrow();
	let etaSeconds: number | null = null;
	if (batch.status === 'rendering' && done.parts > 0 && done.first) {
		const elapsed = (now.getTime() - batch.created_at.getTime()) / 1000;
		etaSeconds = Math.round((elapsed / done.recipients) * (batch.recipients - done.recipients));
	}
	return {
		id: batch.id,
		kind: batch.kind,
		status: batch.status,
		recipients: batch.recipients,
		parts: batch.parts,
		partsDone: done.parts,
		recipientsDone: done.recipients,
		createdAt: batch.created_at,
		renderedAt: batch.rendered_at,
		sentOn: batch.sent_on,
		printPages: batch.print_pages,
		withQuestionnaires: batch.with_questionnaires,
		etaSeconds
	};
}

export async function listMailings(db: Executor, municipalityCode: string, now: Date) {
	const rows = await db
		.selectFrom('mailing_batch')
		.select('id')
		.where('municipality_code', '=', municipalityCode)
		.orderBy('created_at', 'desc')
		.limit(50)
		.execute();
	const batches: MailingProgress[] = [];
	for (const row of rows) {
		const progress = await mailingProgress(db, municipalityCode, row.id, now);
		if (progress) batches.push(progress);
	}
	return batches;
}

type BatchStep = {
	municipalityCode: string;
	batchId: string;
	actor: Actor;
	context?: AuditContext;
};

/** One step of a batch's life: from one status to the next, audited, or MailingError('state'). */
async function moveBatch(
	db: Database,
	input: BatchStep,
	step: {
		from: 'rendering' | 'rendered';
		set: Updateable<DB['mailing_batch']>;
		action: 'mailing.cancel' | 'mailing.mark_sent';
		payload?: Record<string, unknown>;
	}
): Promise<void> {
	await db.transaction().execute(async (trx) => {
		const updated = await trx
			.updateTable('mailing_batch')
			.set(step.set)
			.where('municipality_code', '=', input.municipalityCode)
			.where('id', '=', input.batchId)
			.where('status', '=', step.from)
			.executeTakeFirst();
		if (Number(updated.numUpdatedRows) !== 1) throw new MailingError('state');
		await recordAudit(trx, {
			municipalityCode: input.municipalityCode,
			actor: input.actor,
			context: input.context,
			action: step.action,
			objectType: 'mailing_batch',
			objectId: input.batchId,
			result: 'ok',
			payload: step.payload
		});
	});
}

/** Stops a batch: parts not yet rendered never will be; no print file is made. */
export function cancelMailing(db: Database, input: BatchStep & { now: Date }): Promise<void> {
	return moveBatch(db, input, {
		from: 'rendering',
		set: {
			status: 'cancelled',
			cancelled_at: input.now,
			cancelled_by: `${input.actor.type}:${input.actor.id}`
		},
		action: 'mailing.cancel'
	});
}

/** 発送済: the print file went to the post office on this day. */
export function markMailingSent(
	db: Database,
	input: BatchStep & { sentOn: string }
): Promise<void> {
	return moveBatch(db, input, {
		from: 'rendered',
		set: {
			status: 'sent',
			sent_on: input.sentOn,
			sent_by: `${input.actor.type}:${input.actor.id}`
		},
		action: 'mailing.mark_sent',
		payload: { sent_on: input.sentOn }
	});
}
