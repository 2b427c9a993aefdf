// 問合せ・苦情 (DOMAIN.md P6): logged when they arrive, answered, closed. A complaint stays on the
// list until it is closed with the answer given; nothing is closed without one.
import { z } from 'zod';
import { m } from '$lib/paraglide/messages';
import { auditAs, requirePermission, type Caller } from '../audit/caller';
import type { Executor } from '../db';
import { lockFormKey } from '../db/form-key';
import { DomainError } from '../errors';
import { isUuid, recordId } from '../ids';
import { tokyoDate } from '../time';

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

export class InquiryError extends DomainError<
	'invalid' | 'person_unknown' | 'not_open' | 'response_required'
> {
	protected readonly messages = {
		invalid: m.inquiry_invalid,
		person_unknown: m.dose_error_person_unknown,
		not_open: m.error_not_found,
		response_required: m.inquiry_response_required
	};
}

export const inquiryForm = z.object({
	inquiry: inquiryInput,
	/** The log form's one-time key: the same key logs one inquiry (a double tap logs one). */
	requestKey: recordId.optional()
});

/** A call, visit or letter, logged as it arrives. */
export async function logInquiry(
	db: Executor,
	caller: Caller,
	/** As the form sends it: checked here. */
	input: { inquiry: { [K in keyof InquiryInput]: string }; requestKey?: string },
	now = new Date()
): Promise<{ id: string }> {
	requirePermission(caller, 'disclosure.handle');
	const parsed = inquiryForm.safeParse(input);
	if (!parsed.success) throw new InquiryError('invalid');
	const { inquiry, requestKey } = parsed.data;
	const atena = inquiry.subjectAtenaNumber || null;
	if (atena) {
		const person = await db
			.selectFrom('resident')
			.select('atena_number')
			.where('municipality_code', '=', caller.municipalityCode)
			.where('atena_number', '=', atena)
			.executeTakeFirst();
		if (!person) throw new InquiryError('person_unknown');
	}
	return db.transaction().execute(async (trx) => {
		if (requestKey) {
			await lockFormKey(trx, requestKey);
			const existing = await trx
				.selectFrom('inquiry')
				.select('id')
				.where('municipality_code', '=', caller.municipalityCode)
				.where('request_key', '=', requestKey)
				.executeTakeFirst();
			if (existing) return existing;
		}
		const row = await trx
			.insertInto('inquiry')
			.values({
				municipality_code: caller.municipalityCode,
				kind: inquiry.kind,
				channel: inquiry.channel,
				received_at: now,
				caller_name: inquiry.callerName,
				subject_atena_number: atena,
				subject: inquiry.subject,
				request_key: requestKey ?? null,
				created_by: caller.id
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await auditAs(trx, caller, {
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
	caller: Caller,
	input: { id: string; response: string },
	now = new Date()
): Promise<void> {
	requirePermission(caller, 'disclosure.handle');
	const response = input.response.trim().slice(0, 4000);
	if (!response) throw new InquiryError('response_required');
	await db.transaction().execute(async (trx) => {
		const closed = isUuid(input.id)
			? await trx
					.updateTable('inquiry')
					.set({ response, closed_on: tokyoDate(now), closed_by: caller.id })
					.where('municipality_code', '=', caller.municipalityCode)
					.where('id', '=', input.id)
					.where('closed_on', 'is', null)
					.returning('subject_atena_number')
					.executeTakeFirst()
			: undefined;
		if (!closed) throw new InquiryError('not_open');
		await auditAs(trx, caller, {
			action: 'inquiry.close',
			subjectAtenaNumber: closed.subject_atena_number ?? undefined,
			objectType: 'inquiry',
			objectId: input.id,
			result: 'ok'
		});
	});
}

/** Open matters first, then closed ones; the newest first in each. */
export async function inquiryLog(db: Executor, caller: Caller, input: { limit?: number } = {}) {
	requirePermission(caller, 'disclosure.handle');
	const rows = await db
		.selectFrom('inquiry')
		.selectAll()
		.where('municipality_code', '=', caller.municipalityCode)
		.orderBy((eb) => eb.case().when('closed_on', 'is', null).then(0).else(1).end())
		.orderBy('received_at', 'desc')
		.limit(input.limit ?? 200)
		.execute();
	await auditAs(db, caller, {
		action: 'inquiry.list',
		result: 'ok',
		payload: { rows: rows.length }
	});
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
