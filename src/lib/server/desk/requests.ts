// Registering 開示・訂正・利用停止請求 and keeping their statutory clock (DOMAIN.md P5): the
// deadline is computed once, at registration, from the city's rules as they stand that day; an
// extension (once, with a reason, before the deadline passes) moves it; the desk's list shows
// open requests by days left.
import { allowedFrom } from '../workflow/machine';
import { deskMachine } from './machine';
import { m } from '$lib/paraglide/messages';
import { sql } from 'kysely';
import { recordAudit, type Actor, type AuditContext } from '../audit/record';
import type { Executor } from '../db';
import { lockFormKey } from '../db/form-key';
import { japaneseDate } from '../documents/dates';
import { renderNotice } from '../documents/notice';
import { nextDocumentNumber, registerDocument } from '../documents/registry';
import type { Municipality } from '../municipality';
import {
	correctionWindowEnd,
	daysLeft,
	extendedDeadline,
	statutoryDeadline,
	type ClockRules
} from './clock';
import { DomainError } from '../errors';
import { sameCity } from '../db/same-city';

/** 訂正・利用停止: the Act's 30 days (the city's shorter period applies to disclosure only). */
const correctionDays = 30;

/** ID-1..3 (DOMAIN.md §6): what the desk may accept as proof of identity. */
export const identityDocuments = [
	'my_number_card',
	'driving_licence',
	'passport',
	'residence_card',
	'health_insurance_card',
	'pension_book',
	'legal_representative_proof',
	'power_of_attorney'
] as const;

export type DeskRequestRefusal =
	| 'invalid'
	| 'person_unknown'
	| 'identity_required'
	| 'power_of_attorney_required'
	| 'online_self_only'
	| 'received_in_future'
	| 'disclosure_required'
	| 'window_closed'
	| 'not_open'
	| 'already_extended'
	| 'deadline_passed'
	| 'reason_required';

export class DeskRequestError extends DomainError<DeskRequestRefusal> {
	protected readonly messages = {
		invalid: m.dose_change_invalid,
		person_unknown: m.dose_error_person_unknown,
		identity_required: m.desk_error_identity,
		power_of_attorney_required: m.desk_error_power_of_attorney,
		online_self_only: m.desk_error_online_self,
		received_in_future: m.error_date_future,
		disclosure_required: m.desk_error_disclosure_required,
		window_closed: m.desk_error_window_closed,
		not_open: m.error_not_found,
		already_extended: m.desk_error_already_extended,
		deadline_passed: m.desk_error_deadline_passed,
		reason_required: m.desk_error_reason
	};
}

export type DeskRequestInput = {
	kind: 'disclosure' | 'correction' | 'suspension';
	channel: 'desk' | 'mail' | 'online';
	subjectAtenaNumber: string;
	requesterType: 'self' | 'legal_representative' | 'agent';
	requesterName: string;
	powerOfAttorney: boolean;
	identityDocuments: string[];
	whatRequested: string;
	receivedOn: string;
	followsDisclosure?: string;
	/** Online requests: the act the person signed in the portal (checked by the caller). */
	signedActId?: string;
	/** The one-time key of the form it came from: the same key registers one request. */
	requestKey?: string;
};

/**
 * The city's deadline rule in words, for the desk's pages (issue 25: only the resident's page
 * said 14 days): 開示 within the city's days, 訂正・利用停止 within 30, whether the day of receipt
 * counts, a last day on a closed day moving on, and how long an extension may be.
 */
export async function deadlineRule(db: Executor, municipalityCode: string): Promise<string> {
	const city = await db
		.selectFrom('municipality')
		.select([
			'disclosure_deadline_days',
			'disclosure_count_receipt_day',
			'disclosure_extension_days'
		])
		.where('municipality_code', '=', municipalityCode)
		.executeTakeFirstOrThrow();
	return m.desk_deadline_rule({
		disclosure: city.disclosure_deadline_days,
		correction: correctionDays,
		extension: city.disclosure_extension_days,
		from: city.disclosure_count_receipt_day
			? m.desk_deadline_from_receipt()
			: m.desk_deadline_from_next_day()
	});
}

async function clockRules(
	db: Executor,
	municipalityCode: string,
	kind: string
): Promise<ClockRules> {
	const city = await db
		.selectFrom('municipality')
		.select(['disclosure_deadline_days', 'disclosure_count_receipt_day', 'closed_days'])
		.where('municipality_code', '=', municipalityCode)
		.executeTakeFirstOrThrow();
	return {
		days: kind === 'disclosure' ? city.disclosure_deadline_days : correctionDays,
		countReceiptDay: city.disclosure_count_receipt_day,
		closedDays: new Set(city.closed_days.map(String))
	};
}

export async function registerDeskRequest(
	db: Executor,
	input: {
		municipalityCode: string;
		request: DeskRequestInput;
		actor: Actor;
		context?: AuditContext;
		today: string;
		now: Date;
	}
): Promise<{ id: string; reference: string; deadline: string; repeated: boolean }> {
	const { request } = input;
	if (request.receivedOn > input.today) throw new DeskRequestError('received_in_future');
	if (request.identityDocuments.length === 0) throw new DeskRequestError('identity_required');
	if (request.requesterType === 'agent' && !request.powerOfAttorney)
		throw new DeskRequestError('power_of_attorney_required');
	if (request.channel === 'online' && (request.requesterType !== 'self' || !request.signedActId))
		throw new DeskRequestError('online_self_only');
	const person = await db
		.selectFrom('resident')
		.select('atena_number')
		.where('municipality_code', '=', input.municipalityCode)
		.where('atena_number', '=', request.subjectAtenaNumber)
		.executeTakeFirst();
	if (!person) throw new DeskRequestError('person_unknown');
	if (request.kind !== 'disclosure') {
		// 訂正・利用停止 follow a disclosure, and only within 90 days of it.
		const disclosure = request.followsDisclosure
			? await db
					.selectFrom('desk_request')
					.select(['decided_on', 'subject_atena_number', 'kind'])
					.where('municipality_code', '=', input.municipalityCode)
					.where('id', '=', request.followsDisclosure)
					.executeTakeFirst()
			: undefined;
		if (
			!disclosure ||
			disclosure.kind !== 'disclosure' ||
			!disclosure.decided_on ||
			disclosure.subject_atena_number !== request.subjectAtenaNumber
		)
			throw new DeskRequestError('disclosure_required');
		if (request.receivedOn > correctionWindowEnd(disclosure.decided_on))
			throw new DeskRequestError('window_closed');
	}
	const deadline = statutoryDeadline(
		request.receivedOn,
		await clockRules(db, input.municipalityCode, request.kind)
	);
	const register = async (trx: Executor) => {
		if (request.requestKey) {
			await lockFormKey(trx, request.requestKey);
			const existing = await trx
				.selectFrom('desk_request')
				.select(['id', 'reference', 'deadline'])
				.where('municipality_code', '=', input.municipalityCode)
				.where('subject_atena_number', '=', request.subjectAtenaNumber)
				.where('request_key', '=', request.requestKey)
				.executeTakeFirst();
			if (existing) return { ...existing, repeated: true };
		}
		const { rows } = await sql<{ n: string }>`
			SELECT nextval('desk_request_number_seq')::text AS n`.execute(trx);
		const reference = `D${request.receivedOn.slice(0, 4)}-${rows[0]!.n.padStart(6, '0')}`;
		const row = await trx
			.insertInto('desk_request')
			.values({
				municipality_code: input.municipalityCode,
				reference,
				kind: request.kind,
				channel: request.channel,
				subject_atena_number: request.subjectAtenaNumber,
				requester_type: request.requesterType,
				requester_name: request.requesterName,
				power_of_attorney: request.powerOfAttorney,
				identity_documents: request.identityDocuments,
				what_requested: request.whatRequested,
				follows_disclosure: request.followsDisclosure ?? null,
				signed_act_id: request.signedActId ?? null,
				request_key: request.requestKey ?? null,
				received_on: request.receivedOn,
				deadline,
				created_by: input.actor.id,
				created_at: input.now
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await recordAudit(trx, {
			municipalityCode: input.municipalityCode,
			actor: input.actor,
			context: input.context,
			action: 'desk.request',
			subjectAtenaNumber: request.subjectAtenaNumber,
			objectType: 'desk_request',
			objectId: row.id,
			result: 'ok',
			payload: { kind: request.kind, channel: request.channel, deadline }
		});
		return { id: row.id, reference, deadline, repeated: false };
	};
	// Inside a signed act's transaction (an online request), or on its own (the desk).
	return db.isTransaction ? register(db) : db.transaction().execute(register);
}

/** 延長: once, with a reason, while the original deadline has not passed. */
export async function extendDeskRequest(
	db: Executor,
	input: {
		municipalityCode: string;
		id: string;
		reason: string;
		actor: Actor;
		context?: AuditContext;
		today: string;
	}
): Promise<string> {
	const reason = input.reason.trim();
	if (!reason) throw new DeskRequestError('reason_required');
	return db.transaction().execute(async (trx) => {
		const request = await trx
			.selectFrom('desk_request')
			.select(['status', 'deadline', 'extended_deadline', 'subject_atena_number'])
			.where('municipality_code', '=', input.municipalityCode)
			.where('id', '=', input.id)
			.forUpdate()
			.executeTakeFirst();
		if (!request || !allowedFrom(deskMachine, deskMachine.actions.extend, request.status)) {
			throw new DeskRequestError('not_open');
		}
		if (request.extended_deadline) throw new DeskRequestError('already_extended');
		if (input.today > request.deadline) throw new DeskRequestError('deadline_passed');
		const city = await trx
			.selectFrom('municipality')
			.select(['disclosure_extension_days', 'closed_days'])
			.where('municipality_code', '=', input.municipalityCode)
			.executeTakeFirstOrThrow();
		const extended = extendedDeadline(
			request.deadline,
			city.disclosure_extension_days,
			new Set(city.closed_days.map(String))
		);
		await trx
			.updateTable('desk_request')
			.set({ extended_deadline: extended, extension_reason: reason, extended_by: input.actor.id })
			.where('id', '=', input.id)
			.execute();
		await extensionNotice(trx, {
			municipalityCode: input.municipalityCode,
			requestId: input.id,
			deadline: request.deadline,
			extended,
			reason,
			actor: input.actor,
			context: input.context,
			today: input.today
		});
		await recordAudit(trx, {
			municipalityCode: input.municipalityCode,
			actor: input.actor,
			context: input.context,
			action: deskMachine.actions.extend.audit,
			subjectAtenaNumber: request.subject_atena_number,
			objectType: 'desk_request',
			objectId: input.id,
			reason,
			result: 'ok',
			payload: { from: request.deadline, to: extended }
		});
		return extended;
	});
}

/** The desk's list: open requests, the nearest deadline first, overdue ones marked. */
export async function openDeskRequests(
	db: Executor,
	input: { municipalityCode: string; today: string }
) {
	const rows = await db
		.selectFrom('desk_request')
		.select([
			'id',
			'reference',
			'kind',
			'channel',
			'requester_name',
			'received_on',
			'deadline',
			'extended_deadline'
		])
		.where('municipality_code', '=', input.municipalityCode)
		.where('status', '=', 'open')
		.execute();
	return rows
		.map((row) => {
			const due = row.extended_deadline ?? row.deadline;
			const left = daysLeft(due, input.today);
			return {
				id: row.id,
				reference: row.reference,
				kind: row.kind,
				channel: row.channel,
				requester: row.requester_name,
				receivedOn: row.received_on,
				due,
				extended: row.extended_deadline !== null,
				daysLeft: left,
				overdue: left < 0
			};
		})
		.sort((a, b) => a.daysLeft - b.daysLeft || a.reference.localeCompare(b.reference));
}

/** 延長通知書: to the requester, with the new deadline and the reason, registered like any notice. */
async function extensionNotice(
	db: Executor,
	input: {
		municipalityCode: string;
		requestId: string;
		deadline: string;
		extended: string;
		reason: string;
		actor: Actor;
		context?: AuditContext;
		today: string;
	}
) {
	const request = await db
		.selectFrom('desk_request as d')
		.innerJoin('resident as r', (join) =>
			sameCity(join, ['r.atena_number', 'd.subject_atena_number'])
		)
		.select([
			'd.reference',
			'd.received_on',
			'd.requester_name',
			'd.subject_atena_number',
			'r.postal_code',
			'r.address'
		])
		.where('d.id', '=', input.requestId)
		.executeTakeFirstOrThrow();
	const municipality = await db
		.selectFrom('municipality')
		.selectAll()
		.where('municipality_code', '=', input.municipalityCode)
		.executeTakeFirstOrThrow();
	const documentNumber = await nextDocumentNumber(db, 'notice', input.today);
	const bytes = await renderNotice({
		municipality: municipality as Municipality,
		kind: 'disclosure_extension',
		documentNumber,
		issuedOn: input.today,
		recipient: {
			postalCode: request.postal_code,
			address: request.address,
			name: request.requester_name
		},
		details: [
			['請求の受付番号', request.reference],
			['請求を受け付けた日', japaneseDate(request.received_on)],
			['当初の期限', japaneseDate(input.deadline)],
			['延長後の期限', japaneseDate(input.extended)]
		],
		reason: input.reason
	});
	await registerDocument(db, {
		municipalityCode: input.municipalityCode,
		kind: 'notice',
		documentNumber,
		subjectAtenaNumber: request.subject_atena_number,
		applicationId: null,
		language: 'ja',
		fileName: `enchou-${documentNumber}.pdf`,
		bytes,
		issuedBy: input.actor.id,
		approvedBy: null,
		actor: input.actor,
		context: input.context,
		now: new Date()
	});
	return documentNumber;
}
