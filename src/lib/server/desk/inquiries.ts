// 問合せ・苦情 (DOMAIN.md P6): logged when they arrive, answered, closed. A complaint stays on the
// list until it is closed with the answer given; nothing is closed without one.
import { z } from 'zod';
import { recordAudit, type Actor, type AuditContext } from '../audit/record';
import type { Executor } from '../db';
import { lockFormKey } from '../db/form-key';
import { isUuid } from '../ids';

export const inquiryInput = z.object({
	kind: z.enum(['inquiry', 'complaint']),
	channel: z.enum(['desk', 'phone', 'mail', 'email', 'online']),
	callerName: z.string().trim().min(1).max(100),
	subjectAtenaNumber: z
		.string()
		.trim()
		.regex(/^([0-9]{1,15})?$/),
	subject: z.string().trim().min(1).max(2000)
});
export type InquiryInput = z.infer<typeof inquiryInput>;

export class InquiryError extends Error {
	override name = 'InquiryError';
	constructor(readonly code: 'person_unknown' | 'not_open' | 'response_required') {
		super(code);
	}
}

export async function logInquiry(
	db: Executor,
	input: {
		municipalityCode: string;
		inquiry: InquiryInput;
		/** The log form's one-time key: the same key logs one inquiry. */
		requestKey?: string;
		actor: Actor;
		context?: AuditContext;
		now: Date;
	}
): Promise<{ id: string }> {
	const { inquiry } = input;
	const atena = inquiry.subjectAtenaNumber || null;
	if (atena) {
		const person = await db
			.selectFrom('resident')
			.select('atena_number')
			.where('municipality_code', '=', input.municipalityCode)
			.where('atena_number', '=', atena)
			.executeTakeFirst();
		if (!person) throw new InquiryError('person_unknown');
	}
	return db.transaction().execute(async (trx) => {
		if (input.requestKey) {
			await lockFormKey(trx, input.requestKey);
			const existing = await trx
				.selectFrom('inquiry')
				.select('id')
				.where('municipality_code', '=', input.municipalityCode)
				.where('request_key', '=', input.requestKey)
				.executeTakeFirst();
			if (existing) return existing;
		}
		const row = await trx
			.insertInto('inquiry')
			.values({
				municipality_code: input.municipalityCode,
				kind: inquiry.kind,
				channel: inquiry.channel,
				received_at: input.now,
				caller_name: inquiry.callerName,
				subject_atena_number: atena,
				subject: inquiry.subject,
				request_key: input.requestKey ?? null,
				created_by: input.actor.id
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await recordAudit(trx, {
			municipalityCode: input.municipalityCode,
			actor: input.actor,
			context: input.context,
			action: 'inquiry.log',
			subjectAtenaNumber: atena ?? undefined,
			objectType: 'inquiry',
			objectId: row.id,
			result: 'ok',
			payload: { kind: inquiry.kind, channel: inquiry.channel }
		});
		return row;
	});
}

/** Records the answer and closes the matter (the answer is required). */
export async function closeInquiry(
	db: Executor,
	input: {
		municipalityCode: string;
		id: string;
		response: string;
		actor: Actor;
		context?: AuditContext;
		today: string;
	}
): Promise<void> {
	const response = input.response.trim().slice(0, 4000);
	if (!response) throw new InquiryError('response_required');
	await db.transaction().execute(async (trx) => {
		const closed = isUuid(input.id)
			? await trx
					.updateTable('inquiry')
					.set({ response, closed_on: input.today, closed_by: input.actor.id })
					.where('municipality_code', '=', input.municipalityCode)
					.where('id', '=', input.id)
					.where('closed_on', 'is', null)
					.returning('subject_atena_number')
					.executeTakeFirst()
			: undefined;
		if (!closed) throw new InquiryError('not_open');
		await recordAudit(trx, {
			municipalityCode: input.municipalityCode,
			actor: input.actor,
			context: input.context,
			action: 'inquiry.close',
			subjectAtenaNumber: closed.subject_atena_number ?? undefined,
			objectType: 'inquiry',
			objectId: input.id,
			result: 'ok'
		});
	});
}

/** Open matters first, then closed ones; the newest first in each. */
export async function inquiryLog(
	db: Executor,
	input: { municipalityCode: string; limit?: number }
) {
	const rows = await db
		.selectFrom('inquiry')
		.selectAll()
		.where('municipality_code', '=', input.municipalityCode)
		.orderBy((eb) => eb.case().when('closed_on', 'is', null).then(0).else(1).end())
		.orderBy('received_at', 'desc')
		.limit(input.limit ?? 200)
		.execute();
	return rows.map((row) => ({
		id: row.id,
		kind: row.kind,
		channel: row.channel,
		receivedAt: row.received_at.toISOString(),
		caller: row.caller_name,
		atena: row.subject_atena_number,
		subject: row.subject,
		response: row.response,
		closedOn: row.closed_on
	}));
}
