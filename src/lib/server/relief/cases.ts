// The 健康被害救済 case machine (DOMAIN.md P3): 受付 → 書類確認 (⇄ 書類の追加待ち with itemised
// missing documents) → 調査委員会 → 進達 (prepared by one person, approved by another, with a
// cover letter) → 国の審査中 → 認定 / 否認 → 支給・不支給の決定 (prepared and approved by two
// people, with the decision notice) → 支払 → 終結, and 審査請求 within three months of the
// decision as a branch. Every action is the relief role's; each writes a history event (a public
// note for the resident's timeline, an internal note never shown there) and an audit entry.
import { m } from '$lib/paraglide/messages';
import { DomainError } from '../errors';
import { sql } from 'kysely';
import { recordAudit, type Actor, type AuditContext } from '../audit/record';
import type { Executor } from '../db';
import { renderNotice } from '../documents/notice';
import { nextDocumentNumber, registerDocument } from '../documents/registry';
import { renderReliefForward } from '../documents/relief-forward';
import type { Municipality } from '../municipality';
import { appealDeadline, pensionInstalments } from './deadlines';
import { tokyoDate } from '../time';
import { isUuid } from '../ids';
import { purposeMessages, type PurposeRefusal } from '../audit/purpose';
import { nextStageOf, type Machine } from '../workflow/machine';
import { residentStatus } from '../workflow/status';
import { sameCity } from '../db/same-city';

export const reliefStages = [
	'received',
	'document_check',
	'awaiting_documents',
	'committee',
	'forward_pending',
	'forwarded',
	'national_review',
	'certified',
	'denied',
	'decision_pending',
	'decided_pay',
	'decided_not_pay',
	'paying',
	'appeal',
	'appeal_decided',
	'closed'
] as const;
export type ReliefStage = (typeof reliefStages)[number];

export type ReliefAction =
	| 'start_check'
	| 'request_documents'
	| 'documents_received'
	| 'to_committee'
	| 'prepare_forward'
	| 'approve_forward'
	| 'send_back_forward'
	| 'to_ministry'
	| 'record_certification'
	| 'prepare_decision'
	| 'approve_decision'
	| 'send_back_decision'
	| 'start_payments'
	| 'record_payment'
	| 'suspend_payments'
	| 'file_appeal'
	| 'decide_appeal'
	| 'close'
	| 'set_account'
	| 'record_claim_events'
	| 'note';

const isoDate = /^\d{4}-\d{2}-\d{2}$/;
/** A date given, in ISO form, not after today. */
const pastDate = (date: string | undefined, today: string) =>
	!!date && isoDate.test(date) && date <= today;
const dated = (
	input: ReliefInput,
	_relief: ReliefCase,
	by: { today: string }
): ReliefRefusal | null => (pastDate(input.date, by.today) ? null : 'date_required');
const handle = 'relief.handle';
const audit = 'relief.action';

export type ReliefMachine = Machine<
	ReliefStage,
	ReliefAction,
	ReliefCase,
	ReliefInput,
	ReliefRefusal
>;

/** The machine as a table: what each action needs, from which stages, to which stage. */
export const reliefMachine: ReliefMachine = {
	closed: ['closed'],
	actions: {
		start_check: {
			from: ['received'],
			to: 'document_check',
			permission: handle,
			reason: false,
			audit,
			documents: []
		},
		request_documents: {
			from: ['document_check'],
			to: 'awaiting_documents',
			permission: handle,
			reason: false,
			needs: (input) =>
				input.items?.length && input.items.every((item) => documentCodes.includes(item as never))
					? null
					: 'items_required',
			audit,
			documents: []
		},
		documents_received: {
			from: ['awaiting_documents'],
			to: 'document_check',
			permission: handle,
			reason: false,
			audit,
			documents: []
		},
		to_committee: {
			from: ['document_check'],
			to: 'committee',
			permission: handle,
			reason: false,
			needs: dated,
			audit,
			documents: []
		},
		prepare_forward: {
			from: ['committee'],
			to: 'forward_pending',
			permission: handle,
			reason: false,
			needs: (input) =>
				input.minutes?.trim() && input.opinion?.trim() ? null : 'committee_required',
			audit,
			documents: []
		},
		approve_forward: {
			from: ['forward_pending'],
			to: 'forwarded',
			permission: handle,
			reason: false,
			checks: { field: 'forward_prepared_by', refusal: 'same_person' },
			needs: dated,
			audit,
			documents: ['relief_forward']
		},
		send_back_forward: {
			from: ['forward_pending'],
			to: 'committee',
			permission: handle,
			reason: 'note_required',
			audit,
			documents: []
		},
		to_ministry: {
			from: ['forwarded'],
			to: 'national_review',
			permission: handle,
			reason: false,
			needs: dated,
			audit,
			documents: []
		},
		record_certification: {
			from: ['national_review'],
			to: (_relief, input) => (input.certification === 'certified' ? 'certified' : 'denied'),
			permission: handle,
			reason: false,
			needs: (input) =>
				input.certification && input.date && isoDate.test(input.date) && input.reference?.trim()
					? null
					: 'certification_required',
			audit,
			documents: []
		},
		prepare_decision: {
			from: ['certified', 'denied'],
			to: 'decision_pending',
			permission: handle,
			reason: false,
			audit,
			documents: []
		},
		approve_decision: {
			from: ['decision_pending'],
			to: (relief) => (relief.certification === 'certified' ? 'decided_pay' : 'decided_not_pay'),
			permission: handle,
			reason: false,
			checks: { field: 'decision_prepared_by', refusal: 'same_person' },
			needs: dated,
			audit,
			documents: ['notice']
		},
		send_back_decision: {
			from: ['decision_pending'],
			to: (relief) => (relief.certification === 'certified' ? 'certified' : 'denied'),
			permission: handle,
			reason: 'note_required',
			audit,
			documents: []
		},
		start_payments: {
			from: ['decided_pay'],
			to: 'paying',
			permission: handle,
			reason: false,
			needs: (input, relief) =>
				!relief.bank_code
					? 'account_required'
					: input.payments?.length
						? null
						: 'payments_required',
			audit,
			documents: []
		},
		// Payments scheduled before an appeal keep being made (or stopped) while it runs.
		record_payment: {
			from: ['paying', 'appeal', 'appeal_decided'],
			permission: handle,
			reason: false,
			needs: (input) =>
				input.paymentId && input.date && isoDate.test(input.date) ? null : 'payment_not_found',
			audit,
			documents: []
		},
		suspend_payments: {
			from: ['paying', 'appeal', 'appeal_decided'],
			permission: handle,
			reason: 'note_required',
			needs: (input) => (input.date && isoDate.test(input.date) ? null : 'date_required'),
			audit,
			documents: []
		},
		file_appeal: {
			from: ['decided_pay', 'decided_not_pay', 'paying'],
			to: 'appeal',
			permission: handle,
			reason: false,
			needs: (input, relief, by) =>
				dated(input, relief, by) ??
				(input.date! > appealDeadline(relief.decided_on!) ? 'appeal_late' : null),
			audit,
			documents: []
		},
		decide_appeal: {
			from: ['appeal'],
			to: 'appeal_decided',
			permission: handle,
			reason: false,
			needs: (input, relief, by) =>
				dated(input, relief, by) ?? (input.appealOutcome ? null : 'outcome_required'),
			audit,
			documents: []
		},
		close: {
			from: ['decided_not_pay', 'paying', 'appeal_decided'],
			to: 'closed',
			permission: handle,
			reason: false,
			audit,
			documents: []
		},
		set_account: {
			from: 'open',
			permission: handle,
			reason: false,
			needs: (input) => (validAccount(input.account) ? null : 'account_invalid'),
			audit,
			documents: []
		},
		record_claim_events: {
			from: 'open',
			permission: handle,
			reason: false,
			needs: (input, relief, by) => {
				const events = input.claimEvents ?? {};
				const given = Object.values(events).filter((value) => value !== undefined);
				if (!given.length || given.some((value) => !isoDate.test(value) || value > by.today))
					return 'events_required';
				// Costs and treatment are what the claim is for: they come before it.
				return [events.costsPaidFrom, events.treatmentFrom].some(
					(on) => on && on > relief.received_on
				)
					? 'event_after_claim'
					: null;
			},
			audit,
			documents: []
		},
		note: {
			from: 'open',
			permission: handle,
			reason: false,
			needs: (input) =>
				input.publicNote?.trim() || input.internalNote?.trim() ? null : 'note_required',
			audit,
			documents: []
		}
	}
};

export type ReliefInput = {
	items?: string[];
	date?: string;
	minutes?: string;
	opinion?: string;
	certification?: 'certified' | 'denied';
	reference?: string;
	appealOutcome?: 'upheld' | 'overturned';
	/** Per benefit: the amount (医療費 and one-off benefits) or the grade and end of a pension. */
	payments?: { benefit: string; amountYen?: number; grade?: string; until?: string }[];
	paymentId?: string;
	account?: {
		bankCode: string;
		branchCode: string;
		type: 'ordinary' | 'current';
		number: string;
		holderKana: string;
	};
	/** What the claim limits run from, read off the receipts and certificates. */
	claimEvents?: { costsPaidFrom?: string; treatmentFrom?: string; diedOn?: string };
	publicNote?: string;
	internalNote?: string;
	reason?: string;
};

export type ReliefRefusal =
	| 'not_found'
	| 'forbidden'
	| 'wrong_stage'
	| 'same_person'
	| 'conflict'
	| 'items_required'
	| 'date_required'
	| 'committee_required'
	| 'certification_required'
	| 'account_required'
	| 'account_invalid'
	| 'payments_required'
	| 'payments_open'
	| 'appeal_late'
	| 'outcome_required'
	| 'note_required'
	| 'payment_not_found'
	| 'events_required'
	| 'event_after_claim'
	| 'invalid'
	| PurposeRefusal
	| 'not_released'
	| 'dates_invalid';

export class ReliefError extends DomainError<ReliefRefusal> {
	protected readonly messages = {
		not_found: m.error_not_found,
		forbidden: m.staff_forbidden,
		wrong_stage: m.relief_refused_wrong_stage,
		same_person: m.relief_refused_same_person,
		conflict: m.case_conflict,
		items_required: m.relief_refused_items,
		date_required: m.relief_refused_date,
		committee_required: m.relief_refused_committee,
		certification_required: m.relief_refused_certification,
		account_required: m.relief_refused_account_required,
		account_invalid: m.relief_refused_account_invalid,
		payments_required: m.relief_refused_payments,
		payments_open: m.relief_refused_payments_open,
		appeal_late: m.relief_refused_appeal_late,
		outcome_required: m.relief_refused_outcome,
		note_required: m.relief_refused_note,
		payment_not_found: m.relief_refused_payment,
		events_required: m.relief_refused_events,
		event_after_claim: m.relief_refused_event_after_claim,
		/** A desk claim with fields to mend (each field says what). */
		invalid: m.error_summary_heading,
		/** The purpose of opening a case (audit/purpose.ts). */
		...purposeMessages,
		not_released: m.error_not_found,
		dates_invalid: m.error_date_format
	};
	constructor(code: ReliefRefusal, fields: Record<string, string> = {}, said?: string) {
		super(
			code,
			code === 'not_found'
				? 404
				: code === 'forbidden'
					? 403
					: code === 'conflict' || code === 'not_released'
						? 409
						: 400,
			fields,
			said
		);
	}
}

export type ReliefCase = {
	id: string;
	municipality_code: string;
	application_id: string | null;
	subject_atena_number: string;
	claimant_name: string;
	category: string;
	benefits: string[];
	received_on: string;
	stage: string;
	version: number;
	missing_documents: string[];
	committee_on: string | null;
	committee_minutes: string | null;
	committee_opinion: string | null;
	forward_prepared_by: string | null;
	certification: string | null;
	decided_on: string | null;
	decision_prepared_by: string | null;
	bank_code: string | null;
};

export const documentCodes = [
	'vaccination_proof',
	'medical_record',
	'diagnosis',
	'receipts',
	'bankbook',
	'death_certificate',
	'family_register',
	'other'
] as const;

/** The stage an action leads to, or the rule that refuses it (no database needed). */
export function nextReliefStage(
	relief: ReliefCase,
	actor: { id: string; permissions: ReadonlySet<string> },
	action: ReliefAction,
	input: ReliefInput,
	today: string
): ReliefStage {
	const step = nextStageOf(reliefMachine, action, relief, actor, input, today);
	if ('refused' in step) throw new ReliefError(step.refused);
	return step.to;
}

/** 全銀 bank and branch codes, a 7-digit account number, the holder in full-width katakana. */
export function validAccount(account: ReliefInput['account']): boolean {
	return (
		!!account &&
		/^[0-9]{4}$/.test(account.bankCode) &&
		/^[0-9]{3}$/.test(account.branchCode) &&
		(account.type === 'ordinary' || account.type === 'current') &&
		/^[0-9]{7}$/.test(account.number) &&
		/^[ァ-ヶー・　 ()（）]{1,30}$/.test(account.holderKana)
	);
}

const categoryNames: Record<string, string> = {
	A: 'A類疾病の定期接種',
	B: 'B類疾病の定期接種',
	temporary: '臨時接種'
};

async function benefitNames(db: Executor, codes: string[]) {
	const rows = await db.selectFrom('relief_benefit').select(['code', 'name_ja']).execute();
	const names = new Map(rows.map((row) => [row.code, row.name_ja]));
	return codes.map((code) => names.get(code) ?? code);
}

/** Opens the case for a submitted portal claim (受付); the application shows 処理中. */
export async function openFromApplication(
	db: Executor,
	input: { applicationId: string; actor: Actor; context?: AuditContext; now: Date; today: string }
): Promise<{ id: string }> {
	return db.transaction().execute(async (trx) => {
		const application = await trx
			.selectFrom('application as a')
			.innerJoin('application_version as v', (join) =>
				join.onRef('v.application_id', '=', 'a.id').onRef('v.version', '=', 'a.current_version')
			)
			.innerJoin('resident_account as r', 'r.id', 'a.applicant_account_id')
			.innerJoin('resident as p', (join) => sameCity(join, ['p.atena_number', 'r.atena_number']))
			.select([
				'a.id',
				'a.municipality_code',
				'a.subject_atena_number',
				'a.stage',
				'a.kind',
				'a.submitted_at',
				'v.payload',
				'p.name_kanji'
			])
			.where('a.id', '=', input.applicationId)
			// Only the application's row: the joined ones are read, and the role may not lock them.
			.forUpdate('a')
			.executeTakeFirst();
		if (
			!application ||
			application.kind !== 'relief' ||
			!['new', 'assigned'].includes(application.stage)
		)
			throw new ReliefError('not_found');
		const payload = JSON.parse(application.payload) as {
			vaccination_type: string;
			benefits: string[];
			documents_missing?: string[];
			account?: {
				bank_code: string;
				branch_code: string;
				type: string;
				number: string;
				holder: string;
			};
		};
		// The account given with the claim, when it has the shape the bank needs.
		const account = payload.account && {
			bankCode: payload.account.bank_code,
			branchCode: payload.account.branch_code,
			type: payload.account.type as 'ordinary' | 'current',
			number: payload.account.number,
			holderKana: payload.account.holder
		};
		const validGiven = validAccount(account);
		const category =
			payload.vaccination_type === 'routine_b'
				? 'B'
				: payload.vaccination_type === 'temporary'
					? 'temporary'
					: 'A';
		const created = await trx
			.insertInto('relief_case')
			.values({
				municipality_code: application.municipality_code,
				application_id: application.id,
				subject_atena_number: application.subject_atena_number!,
				claimant_name: application.name_kanji,
				category,
				benefits: payload.benefits,
				received_on: application.submitted_at ? tokyoDate(application.submitted_at) : input.today,
				stage: 'received',
				stage_since: input.now,
				missing_documents: payload.documents_missing ?? [],
				...(validGiven && account
					? {
							bank_code: account.bankCode,
							branch_code: account.branchCode,
							account_type: account.type,
							account_number: account.number,
							account_holder_kana: account.holderKana
						}
					: {})
			})
			.onConflict((conflict) => conflict.column('application_id').doNothing())
			.returning('id')
			.executeTakeFirst();
		if (!created) throw new ReliefError('conflict');
		await trx
			.updateTable('application')
			.set({
				stage: 'assigned',
				status: residentStatus('assigned'),
				assigned_to: sql`coalesce(assigned_to, ${input.actor.id}::uuid)`,
				updated_at: input.now
			})
			.where('id', '=', application.id)
			.execute();
		await event(trx, created.id, 'open', 'received', 'received', input.actor.id, input.now, {});
		await recordAudit(trx, {
			municipalityCode: application.municipality_code,
			actor: input.actor,
			context: input.context,
			action: 'relief.action',
			subjectAtenaNumber: application.subject_atena_number ?? undefined,
			objectType: 'relief_case',
			objectId: created.id,
			result: 'ok',
			payload: { action: 'open', application: application.id }
		});
		return created;
	});
}

/** A claim taken on paper at the desk (the bereaved family's claims, for example). */
export async function openAtDesk(
	db: Executor,
	input: {
		municipalityCode: string;
		subjectAtenaNumber: string;
		claimantName: string;
		category: 'A' | 'B' | 'temporary';
		benefits: string[];
		receivedOn: string;
		missingDocuments: string[];
		actor: Actor;
		context?: AuditContext;
		now: Date;
	}
): Promise<{ id: string }> {
	return db.transaction().execute(async (trx) => {
		const created = await trx
			.insertInto('relief_case')
			.values({
				municipality_code: input.municipalityCode,
				subject_atena_number: input.subjectAtenaNumber,
				claimant_name: input.claimantName,
				category: input.category,
				benefits: input.benefits,
				received_on: input.receivedOn,
				stage: 'received',
				stage_since: input.now,
				missing_documents: input.missingDocuments
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await event(trx, created.id, 'open', 'received', 'received', input.actor.id, input.now, {});
		await recordAudit(trx, {
			municipalityCode: input.municipalityCode,
			actor: input.actor,
			context: input.context,
			action: 'relief.action',
			subjectAtenaNumber: input.subjectAtenaNumber,
			objectType: 'relief_case',
			objectId: created.id,
			result: 'ok',
			payload: { action: 'open', channel: 'desk' }
		});
		return created;
	});
}

async function event(
	db: Executor,
	caseId: string,
	action: string,
	from: string,
	to: string,
	actorId: string,
	at: Date,
	notes: { publicNote?: string; internalNote?: string; data?: Record<string, unknown> }
) {
	await db
		.insertInto('relief_event')
		.values({
			case_id: caseId,
			action,
			from_stage: from,
			to_stage: to,
			actor_id: actorId,
			at,
			public_note: notes.publicNote?.trim() || null,
			internal_note: notes.internalNote?.trim() || null,
			data: notes.data ? JSON.stringify(notes.data) : null
		})
		.execute();
}

/**
 * Takes an action on a case, or throws a ReliefError (audited as denied). `seenVersion` is the
 * version the officer's page showed: a case changed since then is a conflict, nothing written.
 */
export async function applyReliefAction(
	db: Executor,
	input: {
		caseId: string;
		municipalityCode: string;
		action: ReliefAction;
		values: ReliefInput;
		actor: Actor & { permissions: ReadonlySet<string> };
		context?: AuditContext;
		seenVersion?: number;
		now: Date;
		today: string;
	}
): Promise<ReliefStage> {
	const { actor, values } = input;
	const audit = (result: 'ok' | 'denied', payload: Record<string, unknown>, atena?: string) => ({
		municipalityCode: input.municipalityCode,
		actor: {
			type: actor.type,
			id: actor.id,
			role: actor.role,
			department: (actor as { department?: string | null }).department ?? null
		} as Actor,
		context: input.context,
		action: 'relief.action' as const,
		subjectAtenaNumber: atena,
		objectType: 'relief_case',
		objectId: input.caseId.slice(0, 64),
		result,
		payload: { action: input.action, ...payload }
	});
	let atena: string | undefined;
	try {
		return await db.transaction().execute(async (trx) => {
			const relief = isUuid(input.caseId)
				? ((await trx
						.selectFrom('relief_case')
						.selectAll()
						.where('id', '=', input.caseId)
						.where('municipality_code', '=', input.municipalityCode)
						.forUpdate()
						.executeTakeFirst()) as (ReliefCase & Record<string, unknown>) | undefined)
				: undefined;
			if (!relief) throw new ReliefError('not_found');
			atena = relief.subject_atena_number;
			if (input.seenVersion !== undefined && input.seenVersion !== relief.version)
				throw new ReliefError('conflict');
			const to = nextReliefStage(relief, actor, input.action, values, input.today);
			const changes: Record<string, unknown> = {};
			const data: Record<string, unknown> = {};
			switch (input.action) {
				case 'request_documents':
					changes.missing_documents = values.items;
					data.items = values.items;
					break;
				case 'documents_received':
					changes.missing_documents = [];
					break;
				case 'to_committee':
					changes.committee_on = values.date;
					break;
				case 'prepare_forward':
					changes.committee_minutes = values.minutes!.trim();
					changes.committee_opinion = values.opinion!.trim();
					changes.forward_prepared_by = actor.id;
					break;
				case 'send_back_forward':
					changes.forward_prepared_by = null;
					break;
				case 'approve_forward': {
					changes.forward_approved_by = actor.id;
					changes.forwarded_on = values.date;
					changes.forward_letter_id = await forwardLetter(trx, relief, input, values.date!);
					break;
				}
				case 'to_ministry':
					changes.ministry_on = values.date;
					break;
				case 'record_certification':
					changes.certification = values.certification;
					changes.certified_on = values.date;
					changes.certification_ref = values.reference!.trim();
					break;
				case 'prepare_decision':
					changes.decision_prepared_by = actor.id;
					break;
				case 'send_back_decision':
					changes.decision_prepared_by = null;
					break;
				case 'approve_decision': {
					changes.decision_approved_by = actor.id;
					changes.decision = relief.certification === 'certified' ? 'pay' : 'not_pay';
					changes.decided_on = values.date;
					changes.decision_document_id = await decisionNotice(trx, relief, input, values.date!);
					break;
				}
				case 'start_payments':
					data.payments = await schedulePayments(trx, relief, values.payments!, input);
					break;
				case 'record_payment': {
					const paid = await trx
						.updateTable('relief_payment')
						.set({ status: 'paid', paid_on: values.date })
						.where('id', '=', values.paymentId!)
						.where('case_id', '=', relief.id)
						.where('status', '=', 'scheduled')
						.executeTakeFirst();
					if (paid.numUpdatedRows !== 1n) throw new ReliefError('payment_not_found');
					data.payment = values.paymentId;
					break;
				}
				case 'suspend_payments': {
					const suspended = await trx
						.updateTable('relief_payment')
						.set({ status: 'suspended', suspended_reason: values.reason!.trim() })
						.where('case_id', '=', relief.id)
						.where('status', '=', 'scheduled')
						.where('due_on', '>=', values.date!)
						.executeTakeFirst();
					data.suspended = Number(suspended.numUpdatedRows);
					break;
				}
				case 'file_appeal':
					changes.appeal_filed_on = values.date;
					break;
				case 'decide_appeal':
					changes.appeal_outcome = values.appealOutcome;
					changes.appeal_decided_on = values.date;
					break;
				case 'close': {
					const open = await trx
						.selectFrom('relief_payment')
						.select((eb) => eb.fn.countAll<string>().as('n'))
						.where('case_id', '=', relief.id)
						.where('status', '=', 'scheduled')
						.executeTakeFirstOrThrow();
					if (Number(open.n) > 0) throw new ReliefError('payments_open');
					changes.closed_on = input.today;
					if (relief.application_id) {
						await trx
							.updateTable('application')
							.set({
								stage: 'completed',
								status: residentStatus('completed'),
								updated_at: input.now
							})
							.where('id', '=', relief.application_id)
							.execute();
					}
					break;
				}
				case 'record_claim_events': {
					const events = values.claimEvents!;
					if (events.costsPaidFrom) changes.costs_paid_from = events.costsPaidFrom;
					if (events.treatmentFrom) changes.treatment_from = events.treatmentFrom;
					if (events.diedOn) changes.died_on = events.diedOn;
					data.events = Object.keys(changes);
					break;
				}
				case 'set_account': {
					const account = values.account!;
					changes.bank_code = account.bankCode;
					changes.branch_code = account.branchCode;
					changes.account_type = account.type;
					changes.account_number = account.number;
					changes.account_holder_kana = account.holderKana;
					break;
				}
			}
			await trx
				.updateTable('relief_case')
				.set({
					...changes,
					stage: to,
					version: relief.version + 1,
					...(to !== relief.stage ? { stage_since: input.now } : {})
				})
				.where('id', '=', relief.id)
				.execute();
			await event(trx, relief.id, input.action, relief.stage, to, actor.id, input.now, {
				publicNote: values.publicNote,
				internalNote: values.internalNote ?? values.reason,
				data
			});
			// Never the account number or notes in the log: what happened, not what was written.
			await recordAudit(trx, audit('ok', { from: relief.stage, to }, atena));
			return to;
		});
	} catch (failure) {
		if (failure instanceof ReliefError) {
			await recordAudit(db, audit('denied', { refused: failure.code }, atena));
		}
		throw failure;
	}
}

async function caseFacts(db: Executor, relief: ReliefCase) {
	const [municipality, subject] = await Promise.all([
		db
			.selectFrom('municipality')
			.selectAll()
			.where('municipality_code', '=', relief.municipality_code)
			.executeTakeFirstOrThrow(),
		db
			.selectFrom('resident')
			.select(['name_kanji', 'birth_date', 'postal_code', 'address'])
			.where('municipality_code', '=', relief.municipality_code)
			.where('atena_number', '=', relief.subject_atena_number)
			.executeTakeFirstOrThrow()
	]);
	return { municipality: municipality as Municipality, subject };
}

const documentNames: Record<string, string> = {
	vaccination_proof: '予防接種を受けたことを証明する書類（接種済証・母子健康手帳の写し）',
	medical_record: '受診証明書・診療録の写し',
	diagnosis: '診断書',
	receipts: '医療費の領収書',
	bankbook: '振込先口座の通帳の写し',
	death_certificate: '死亡診断書の写し',
	family_register: '戸籍謄本',
	other: 'その他の資料'
};
export const reliefDocumentName = (code: string) => documentNames[code] ?? code;

/** The cover letter to the prefecture, registered and kept from the resident (ACL-9). */
async function forwardLetter(
	db: Executor,
	relief: ReliefCase,
	input: { actor: Actor; context?: AuditContext; now: Date },
	on: string
): Promise<string> {
	const { municipality, subject } = await caseFacts(db, relief);
	const documentNumber = await nextDocumentNumber(db, 'relief_forward', on);
	const bytes = await renderReliefForward({
		municipality,
		documentNumber,
		issuedOn: on,
		claimant: relief.claimant_name,
		subject: { nameKanji: subject.name_kanji, birthDate: subject.birth_date },
		category: categoryNames[relief.category] ?? relief.category,
		benefits: await benefitNames(db, relief.benefits),
		receivedOn: relief.received_on,
		committee: {
			on: relief.committee_on ?? on,
			minutes: relief.committee_minutes ?? '',
			opinion: relief.committee_opinion ?? ''
		},
		enclosures: [
			'予防接種健康被害救済給付請求書',
			...documentCodesFor(relief).map(reliefDocumentName),
			'予防接種健康被害調査委員会の意見書'
		]
	});
	const registered = await registerDocument(db, {
		municipalityCode: relief.municipality_code,
		kind: 'relief_forward',
		documentNumber,
		subjectAtenaNumber: relief.subject_atena_number,
		applicationId: relief.application_id,
		language: 'ja',
		fileName: `shintatsu-${documentNumber}.pdf`,
		bytes,
		issuedBy: relief.forward_prepared_by!,
		approvedBy: input.actor.id,
		released: false,
		actor: input.actor,
		context: input.context,
		now: input.now
	});
	return registered.id;
}

function documentCodesFor(relief: ReliefCase): string[] {
	const byBenefit: Record<string, string[]> = {
		medical_expenses: ['vaccination_proof', 'medical_record', 'receipts'],
		medical_allowance: ['vaccination_proof', 'medical_record'],
		child_disability_pension: ['vaccination_proof', 'medical_record', 'diagnosis'],
		disability_pension: ['vaccination_proof', 'medical_record', 'diagnosis'],
		survivor_pension: [
			'vaccination_proof',
			'medical_record',
			'death_certificate',
			'family_register'
		],
		survivor_lump_sum: [
			'vaccination_proof',
			'medical_record',
			'death_certificate',
			'family_register'
		],
		death_lump_sum: ['vaccination_proof', 'medical_record', 'death_certificate', 'family_register'],
		funeral_expenses: ['death_certificate', 'family_register']
	};
	const codes = new Set(relief.benefits.flatMap((benefit) => byBenefit[benefit] ?? []));
	return documentCodes.filter((code) => codes.has(code));
}

/** 支給決定通知書 / 不支給決定通知書, registered and kept from the resident until released. */
async function decisionNotice(
	db: Executor,
	relief: ReliefCase & Record<string, unknown>,
	input: { actor: Actor; context?: AuditContext; now: Date },
	on: string
): Promise<string> {
	const { municipality, subject } = await caseFacts(db, relief);
	const pay = relief.certification === 'certified';
	const documentNumber = await nextDocumentNumber(db, 'notice', on);
	const bytes = await renderNotice({
		municipality,
		kind: pay ? 'relief_granted' : 'relief_denied',
		documentNumber,
		issuedOn: on,
		recipient: {
			postalCode: subject.postal_code,
			address: subject.address,
			name: relief.claimant_name
		},
		details: [
			['健康被害を受けた者', subject.name_kanji],
			['予防接種の区分', categoryNames[relief.category] ?? relief.category],
			['請求された給付', (await benefitNames(db, relief.benefits)).join('、')],
			['請求の受付日', relief.received_on],
			[
				'厚生労働大臣の判定',
				`${pay ? '認定' : '否認'}（${String(relief.certification_ref ?? '')}）`
			]
		],
		reason: pay
			? null
			: '厚生労働大臣により、予防接種と健康被害との因果関係が認定されなかったため。'
	});
	const registered = await registerDocument(db, {
		municipalityCode: relief.municipality_code,
		kind: 'notice',
		documentNumber,
		subjectAtenaNumber: relief.subject_atena_number,
		applicationId: relief.application_id,
		language: 'ja',
		fileName: `kettei-${documentNumber}.pdf`,
		bytes,
		issuedBy: relief.decision_prepared_by!,
		approvedBy: input.actor.id,
		released: false,
		actor: input.actor,
		context: input.context,
		now: input.now
	});
	return registered.id;
}

/** One-off benefits: one payment; pensions: quarterly instalments until the given end. */
async function schedulePayments(
	db: Executor,
	relief: ReliefCase,
	requested: NonNullable<ReliefInput['payments']>,
	input: { actor: Actor; now: Date; today: string }
) {
	const benefits = await db
		.selectFrom('relief_benefit')
		.select(['code', 'recurring'])
		.where(
			'code',
			'in',
			requested.map((row) => row.benefit)
		)
		.execute();
	const rows: {
		case_id: string;
		benefit_code: string;
		period_from: string | null;
		period_until: string | null;
		amount_yen: number;
		due_on: string;
		status: string;
		recorded_by: string;
		recorded_at: Date;
	}[] = [];
	for (const request of requested) {
		const benefit = benefits.find((row) => row.code === request.benefit);
		if (!benefit || !relief.benefits.includes(request.benefit))
			throw new ReliefError('payments_required');
		if (!benefit.recurring) {
			const amount =
				request.amountYen ??
				(await catalogueAmount(db, request.benefit, relief.category, '', relief.decided_on!));
			if (!amount || amount <= 0) throw new ReliefError('payments_required');
			rows.push({
				case_id: relief.id,
				benefit_code: request.benefit,
				period_from: null,
				period_until: null,
				amount_yen: amount,
				due_on: input.today,
				status: 'scheduled',
				recorded_by: input.actor.id,
				recorded_at: input.now
			});
			continue;
		}
		const yearly = await catalogueAmount(
			db,
			request.benefit,
			relief.category,
			request.grade ?? '',
			relief.decided_on!
		);
		if (!yearly || !request.until || !isoDate.test(request.until))
			throw new ReliefError('payments_required');
		for (const instalment of pensionInstalments(relief.decided_on!, yearly, request.until)) {
			rows.push({
				case_id: relief.id,
				benefit_code: request.benefit,
				period_from: instalment.from,
				period_until: instalment.until,
				amount_yen: instalment.amountYen,
				due_on: instalment.dueOn,
				status: 'scheduled',
				recorded_by: input.actor.id,
				recorded_at: input.now
			});
		}
	}
	if (rows.length === 0) throw new ReliefError('payments_required');
	await db.insertInto('relief_payment').values(rows).execute();
	return rows.length;
}

/** The amount in force on a date (the newest row not after it); null for 'actual' benefits. */
export async function catalogueAmount(
	db: Executor,
	benefit: string,
	category: string,
	grade: string,
	on: string
): Promise<number | null> {
	const row = await db
		.selectFrom('relief_benefit_amount')
		.select('amount_yen')
		.where('benefit_code', '=', benefit)
		.where('category', '=', category === 'temporary' ? 'A' : category)
		.where('grade', '=', grade)
		.where('effective_from', '<=', on)
		.orderBy('effective_from', 'desc')
		.executeTakeFirst();
	return row?.amount_yen ?? null;
}
