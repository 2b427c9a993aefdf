// The relief officers' doors (健康被害救済, DOMAIN.md P6): the list of cases with reminders
// (stalled stages, closing appeal windows, payments due), intake of portal claims and desk
// claims, the case (opened only with a purpose, each view audited with it), its actions,
// releasing its documents to the resident (ACL-9), and the payment export for the finance
// system. The machine and its checks are in cases.ts.
import { sql } from 'kysely';
import { m } from '$lib/paraglide/messages';
import {
	actorOf,
	auditAs,
	refuseUnknownId,
	requirePermission,
	type Caller,
	type StaffCaller
} from '../audit/caller';
import { purposeOf, purposeRefusal } from '../audit/purpose';
import type { Executor } from '../db';
import { isUuid } from '../ids';
import { allowedFrom } from '../workflow/machine';
import { addDays, tokyoDate } from '../time';
import {
	applyReliefAction,
	documentCodes,
	openAtDesk,
	openFromApplication,
	reliefMachine,
	ReliefError,
	type ReliefAction,
	type ReliefInput
} from './cases';
import { appealDeadline, claimDeadline, claimLimits } from './deadlines';
import { paymentsCsv } from './payments';
import { reliefReminders } from './reminders';
import { sameCity } from '../db/same-city';

type Locale = 'ja' | 'en';
const permission = 'relief.handle';

/** The machine's caller: the officer with the rights they hold today. */
const officer = (caller: StaffCaller) => ({ ...actorOf(caller), permissions: caller.permissions });

async function benefitNames(db: Executor, locale: Locale) {
	const rows = await db
		.selectFrom('relief_benefit')
		.select([
			'code',
			'name_ja',
			'name_en',
			'categories',
			'claimant',
			'claim_limit_years',
			'claim_limit_from',
			'sort_order'
		])
		.orderBy('sort_order')
		.execute();
	const english = locale === 'en';
	return rows.map((row) => ({
		code: row.code,
		name: english ? row.name_en : row.name_ja,
		categories: row.categories,
		claimant: row.claimant,
		claimLimitYears: row.claim_limit_years,
		claimLimitFrom: row.claim_limit_from
	}));
}

type Catalogue = Awaited<ReturnType<typeof benefitNames>>;

/** The claimed benefits' limits from the events recorded on the case. */
function caseClaimLimits(
	catalogue: Catalogue,
	relief: {
		benefits: string[];
		received_on: string;
		costs_paid_from: string | null;
		treatment_from: string | null;
		died_on: string | null;
	}
) {
	return claimLimits(
		catalogue.filter((benefit) => relief.benefits.includes(benefit.code)),
		{
			costsPaidFrom: relief.costs_paid_from,
			treatmentFrom: relief.treatment_from,
			diedOn: relief.died_on
		},
		relief.received_on
	);
}

/**
 * After the death of a person the city was paying (or whose claim it handled), the bereaved may
 * claim the death benefits of the case's category; the last day is the earliest of their limits.
 */
function bereavedClaimUntil(
	catalogue: Catalogue,
	relief: { category: string; died_on: string | null },
	claimed: boolean
): string | null {
	const diedOn = relief.died_on;
	if (!diedOn || claimed) return null;
	const deadlines = catalogue
		.filter(
			(benefit) => benefit.claimant === 'bereaved' && benefit.categories.includes(relief.category)
		)
		.map((benefit) => claimDeadline(benefit, diedOn))
		.filter((deadline): deadline is string => deadline !== null)
		.sort();
	return deadlines[0] ?? null;
}

/**
 * The open cases with their reminders (stalled stages, closing appeal windows, payments due)
 * and the claims made in the portal to take in.
 */
export async function reliefCases(db: Executor, caller: Caller, input: { locale: Locale }) {
	requirePermission(caller, permission);
	const staff = caller;
	const today = tokyoDate(new Date());
	const municipality = await db
		.selectFrom('municipality')
		.select('relief_stall_days')
		.where('municipality_code', '=', staff.municipalityCode)
		.executeTakeFirstOrThrow();
	const [intake, cases, due, benefits] = await Promise.all([
		db
			.selectFrom('application as a')
			.innerJoin('resident as r', (join) =>
				sameCity(join, ['r.atena_number', 'a.subject_atena_number'])
			)
			.leftJoin('relief_case as c', 'c.application_id', 'a.id')
			.select(['a.id', 'a.reference', 'a.submitted_at', 'r.name_kanji'])
			.where('a.municipality_code', '=', staff.municipalityCode)
			.where('a.kind', '=', 'relief')
			.where('a.stage', 'in', ['new', 'assigned'])
			.where('c.id', 'is', null)
			.orderBy('a.submitted_at')
			.limit(100)
			.execute(),
		db
			.selectFrom('relief_case as c')
			.innerJoin('resident as r', (join) =>
				sameCity(join, ['r.atena_number', 'c.subject_atena_number'])
			)
			.select([
				'c.id',
				'c.stage',
				'c.stage_since',
				'c.category',
				'c.benefits',
				'c.received_on',
				'c.decided_on',
				'c.appeal_filed_on',
				'c.costs_paid_from',
				'c.treatment_from',
				'c.died_on',
				'c.subject_atena_number',
				'r.name_kanji'
			])
			.where('c.municipality_code', '=', staff.municipalityCode)
			// Closed cases only for a death: the bereaved may still have to be told to claim.
			.where((eb) =>
				eb.or([eb('c.stage', '<>', 'closed'), eb('c.died_on', '>=', addDays(today, -366 * 5))])
			)
			.orderBy('c.stage_since')
			.limit(500)
			.execute(),
		db
			.selectFrom('relief_payment as p')
			.innerJoin('relief_case as c', 'c.id', 'p.case_id')
			.select(['p.case_id', 'p.due_on', 'p.amount_yen', 'p.benefit_code'])
			.where('c.municipality_code', '=', staff.municipalityCode)
			.where('p.status', '=', 'scheduled')
			.where('p.due_on', '<=', addDays(today, 14))
			.orderBy('p.due_on')
			.limit(200)
			.execute(),
		benefitNames(db, input.locale)
	]);
	const bereavedBenefits = benefits
		.filter((benefit) => benefit.claimant === 'bereaved')
		.map((benefit) => benefit.code);
	const died = cases.filter((row) => row.died_on).map((row) => row.subject_atena_number);
	const bereavedClaimed = new Set(
		died.length
			? (
					await db
						.selectFrom('relief_case')
						.select('subject_atena_number')
						.where('municipality_code', '=', staff.municipalityCode)
						.where('subject_atena_number', 'in', died)
						.where(sql<boolean>`benefits && ${sql.val(bereavedBenefits)}::text[]`)
						.execute()
				).map((row) => row.subject_atena_number)
			: []
	);
	await auditAs(db, caller, {
		action: 'relief.list',
		result: 'ok',
		payload: { cases: cases.length, intake: intake.length }
	});
	const names = new Map(benefits.map((benefit) => [benefit.code, benefit.name]));
	const stallBefore = Date.now() - municipality.relief_stall_days * 86_400_000;
	const reminders = reliefReminders(
		cases.map((row) => ({
			id: row.id,
			name: row.name_kanji,
			stage: row.stage,
			stageSince: row.stage_since,
			decidedOn: row.decided_on,
			appealFiledOn: row.appeal_filed_on,
			claimLimits: caseClaimLimits(benefits, row),
			bereavedClaimUntil: bereavedClaimUntil(
				benefits,
				row,
				bereavedClaimed.has(row.subject_atena_number)
			)
		})),
		due.map((row) => ({
			caseId: row.case_id,
			dueOn: row.due_on,
			label: `${names.get(row.benefit_code) ?? row.benefit_code} ${row.amount_yen.toLocaleString('ja-JP')}円`
		})),
		{ today, now: new Date(), stallDays: municipality.relief_stall_days }
	);
	return {
		stallDays: municipality.relief_stall_days,
		intake: intake.map((row) => ({
			id: row.id,
			reference: row.reference,
			name: row.name_kanji,
			submittedAt: row.submitted_at?.toISOString() ?? null
		})),
		cases: cases
			.filter((row) => row.stage !== 'closed')
			.map((row) => ({
				id: row.id,
				name: row.name_kanji,
				stage: row.stage,
				since: row.stage_since.toISOString(),
				category: row.category,
				benefits: row.benefits.map((code) => names.get(code) ?? code),
				stalled: row.stage_since.getTime() < stallBefore
			})),
		reminders: reminders.map((reminder) => ({
			...reminder,
			benefit: reminder.benefit ? (names.get(reminder.benefit) ?? reminder.benefit) : undefined
		})),
		benefits,
		today
	};
}

/** A claim made in the portal taken in: its case opened. */
export async function openPortalClaim(
	db: Executor,
	caller: Caller,
	input: { applicationId: string }
): Promise<{ id: string }> {
	requirePermission(caller, permission);
	return openFromApplication(db, {
		applicationId: input.applicationId,
		actor: officer(caller),
		context: caller.context,
		now: new Date(),
		today: tokyoDate(new Date())
	});
}

/** The desk claim form as typed. */
export type DeskClaimForm = {
	atena: string;
	claimant: string;
	category: string;
	receivedOn: string;
	benefits: string[];
};

/** A claim received at the desk or by post: its case opened (each field checked, by field). */
export async function openDeskClaim(
	db: Executor,
	caller: Caller,
	input: { values: DeskClaimForm; locale: Locale }
): Promise<{ id: string }> {
	requirePermission(caller, permission);
	const { values } = input;
	const { category, benefits } = values;
	const catalogue = await benefitNames(db, input.locale);
	const person = /^[0-9]{1,15}$/.test(values.atena)
		? await db
				.selectFrom('resident')
				.select('atena_number')
				.where('municipality_code', '=', caller.municipalityCode)
				.where('atena_number', '=', values.atena)
				.executeTakeFirst()
		: undefined;
	const errors: Record<string, string> = {};
	if (!person) errors.atena = m.dose_error_person_unknown();
	if (!values.claimant) errors.claimant = m.relief_error_claimant();
	if (!['A', 'B', 'temporary'].includes(category)) errors.category = m.relief_error_category();
	if (!/^\d{4}-\d{2}-\d{2}$/.test(values.receivedOn) || values.receivedOn > tokyoDate(new Date()))
		errors.received_on = m.error_date_format();
	if (
		benefits.length === 0 ||
		benefits.some(
			(code) => !catalogue.find((row) => row.code === code)?.categories.includes(category)
		)
	)
		errors.benefit = m.relief_error_benefits();
	if (Object.keys(errors).length) throw new ReliefError('invalid', errors);
	return openAtDesk(db, {
		municipalityCode: caller.municipalityCode,
		subjectAtenaNumber: values.atena,
		claimantName: values.claimant,
		category: category as 'A' | 'B' | 'temporary',
		benefits,
		receivedOn: values.receivedOn,
		missingDocuments: [],
		actor: officer(caller),
		context: caller.context,
		now: new Date()
	});
}

/** The case in this city; a guessed or another city's id is refused, and the attempt audited. */
async function caseOf(db: Executor, caller: StaffCaller, id: string) {
	const relief = isUuid(id)
		? await db
				.selectFrom('relief_case')
				.selectAll()
				.where('id', '=', id)
				.where('municipality_code', '=', caller.municipalityCode)
				.executeTakeFirst()
		: undefined;
	return (
		relief ?? refuseUnknownId(db, caller, { action: 'relief.list', objectType: 'relief_case', id })
	);
}

/**
 * The case, opened only with a purpose (each view is audited with it); without one, or with one
 * that was never acceptable, the page asks for it (`dropPurpose`: forget the one kept).
 */
export async function reliefCaseFile(
	db: Executor,
	caller: Caller,
	input: { id: string; purpose: string | undefined; locale: Locale }
) {
	requirePermission(caller, permission);
	const relief = await caseOf(db, caller, input.id);
	const purpose = input.purpose;
	if (!purpose || purposeRefusal(purpose)) {
		// A purpose kept before it was checked when typed is dropped and asked for again.
		return { id: relief.id, needsPurpose: true as const, dropPurpose: purpose !== undefined };
	}
	const [subject, events, payments, documents, benefits, names] = await Promise.all([
		db
			.selectFrom('resident')
			.select(['name_kanji', 'name_kana', 'birth_date', 'atena_number'])
			.where('municipality_code', '=', relief.municipality_code)
			.where('atena_number', '=', relief.subject_atena_number)
			.executeTakeFirstOrThrow(),
		db
			.selectFrom('relief_event')
			.selectAll()
			.where('case_id', '=', relief.id)
			.orderBy('id')
			.execute(),
		db
			.selectFrom('relief_payment')
			.selectAll()
			.where('case_id', '=', relief.id)
			.orderBy('due_on')
			.orderBy('id')
			.execute(),
		db
			.selectFrom('issued_document')
			.select(['id', 'kind', 'document_number', 'issued_at', 'released_at'])
			.where('id', 'in', [
				relief.forward_letter_id ?? '00000000-0000-0000-0000-000000000000',
				relief.decision_document_id ?? '00000000-0000-0000-0000-000000000000'
			])
			.execute(),
		benefitNames(db, input.locale),
		db
			.selectFrom('staff_user')
			.select(['id', 'display_name'])
			.where('municipality_code', '=', relief.municipality_code)
			.execute()
	]);
	await auditAs(db, caller, {
		action: 'relief.view',
		subjectAtenaNumber: relief.subject_atena_number,
		objectType: 'relief_case',
		objectId: relief.id,
		reason: purpose,
		result: 'ok'
	});
	const staffName = (id: string | null) =>
		id ? (names.find((row) => row.id === id)?.display_name ?? id) : null;
	const benefitName = (code: string) => benefits.find((row) => row.code === code)?.name ?? code;
	const allowed = (Object.keys(reliefMachine.actions) as ReliefAction[]).filter((action) => {
		const rule = reliefMachine.actions[action];
		return (
			allowedFrom(reliefMachine, rule, relief.stage) &&
			!(rule.checks && relief[rule.checks.field] === caller.id)
		);
	});
	const today = tokyoDate(new Date());
	return {
		id: relief.id,
		needsPurpose: false as const,
		purpose,
		version: relief.version,
		stage: relief.stage,
		since: relief.stage_since.toISOString(),
		category: relief.category,
		benefits: relief.benefits.map((code) => ({ code, name: benefitName(code) })),
		claimant: relief.claimant_name,
		subject: {
			name: subject.name_kanji,
			kana: subject.name_kana,
			birthDate: subject.birth_date,
			atena: subject.atena_number
		},
		applicationId: relief.application_id,
		receivedOn: relief.received_on,
		claimEvents: {
			costsPaidFrom: relief.costs_paid_from,
			treatmentFrom: relief.treatment_from,
			diedOn: relief.died_on
		},
		claimLimits: caseClaimLimits(benefits, relief).map((limit) => ({
			...limit,
			name: benefitName(limit.benefit)
		})),
		missing: relief.missing_documents,
		committee: {
			on: relief.committee_on,
			minutes: relief.committee_minutes,
			opinion: relief.committee_opinion
		},
		forward: {
			preparedBy: staffName(relief.forward_prepared_by),
			approvedBy: staffName(relief.forward_approved_by),
			on: relief.forwarded_on
		},
		ministryOn: relief.ministry_on,
		certification: relief.certification,
		certifiedOn: relief.certified_on,
		certificationRef: relief.certification_ref,
		decision: {
			preparedBy: staffName(relief.decision_prepared_by),
			approvedBy: staffName(relief.decision_approved_by),
			decision: relief.decision,
			on: relief.decided_on,
			appealUntil: relief.decided_on ? appealDeadline(relief.decided_on) : null
		},
		appeal: {
			filedOn: relief.appeal_filed_on,
			outcome: relief.appeal_outcome,
			decidedOn: relief.appeal_decided_on
		},
		account: relief.bank_code
			? {
					bank: relief.bank_code,
					branch: relief.branch_code,
					type: relief.account_type,
					// Shown in part: the finance export carries the whole number.
					number: `***${relief.account_number!.slice(-4)}`,
					holder: relief.account_holder_kana
				}
			: null,
		events: events.map((row) => ({
			id: String(row.id),
			action: row.action,
			to: row.to_stage,
			by: staffName(row.actor_id),
			at: row.at.toISOString(),
			publicNote: row.public_note,
			internalNote: row.internal_note
		})),
		payments: payments.map((row) => ({
			id: String(row.id),
			benefit: benefitName(row.benefit_code),
			from: row.period_from,
			until: row.period_until,
			amount: row.amount_yen,
			dueOn: row.due_on,
			status: row.status,
			paidOn: row.paid_on,
			reason: row.suspended_reason
		})),
		documents: documents.map((row) => ({
			id: row.id,
			kind: row.kind,
			number: row.document_number,
			releasedAt: row.released_at?.toISOString() ?? null
		})),
		allowed,
		documentCodes: [...documentCodes],
		today
	};
}

/** The purpose typed to open the case, checked (never a 個人番号); the route keeps it 30 minutes. */
export async function casePurpose(
	db: Executor,
	caller: Caller,
	input: { id: string; purpose: FormDataEntryValue | null }
): Promise<{ id: string; purpose: string }> {
	requirePermission(caller, permission);
	const relief = await caseOf(db, caller, input.id);
	const purpose = purposeOf(input.purpose);
	const refusal = purposeRefusal(purpose);
	if (refusal) throw new ReliefError(refusal);
	return { id: relief.id, purpose };
}

/** One action of the relief machine on the case, with the values the form sent. */
export async function takeReliefAction(
	db: Executor,
	caller: Caller,
	input: { id: string; form: FormData }
): Promise<ReliefAction> {
	requirePermission(caller, permission);
	const relief = await caseOf(db, caller, input.id);
	const { form } = input;
	const field = (name: string) =>
		String(form.get(name) ?? '')
			.trim()
			.slice(0, 400);
	const action = field('action') as ReliefAction;
	const payments = relief.benefits
		.filter((code) => form.has(`amount_${code}`) || form.has(`until_${code}`))
		.map((code) => ({
			benefit: code,
			amountYen: field(`amount_${code}`) ? Number(field(`amount_${code}`)) : undefined,
			grade: field(`grade_${code}`) || undefined,
			until: field(`until_${code}`) || undefined
		}));
	const values: ReliefInput = {
		items: form.getAll('item').map(String),
		date: field('date') || undefined,
		minutes: field('minutes'),
		opinion: field('opinion'),
		certification: (field('certification') || undefined) as ReliefInput['certification'],
		reference: field('reference'),
		appealOutcome: (field('outcome') || undefined) as ReliefInput['appealOutcome'],
		payments,
		paymentId: field('payment') || undefined,
		account:
			action === 'set_account'
				? {
						bankCode: field('bank_code'),
						branchCode: field('branch_code'),
						type: field('account_type') as 'ordinary' | 'current',
						number: field('account_number'),
						holderKana: field('account_holder').normalize('NFKC').replace(/ /g, '　')
					}
				: undefined,
		claimEvents:
			action === 'record_claim_events'
				? {
						costsPaidFrom: field('costs_paid_from') || undefined,
						treatmentFrom: field('treatment_from') ? `${field('treatment_from')}-01` : undefined,
						diedOn: field('died_on') || undefined
					}
				: undefined,
		publicNote: field('public_note') || undefined,
		internalNote: field('internal_note') || undefined,
		reason: field('reason') || undefined
	};
	if (!Object.hasOwn(reliefMachine.actions, action)) throw new ReliefError('wrong_stage');
	await applyReliefAction(db, {
		caseId: relief.id,
		municipalityCode: caller.municipalityCode,
		action,
		values,
		actor: officer(caller),
		context: caller.context,
		seenVersion: Number(field('version')),
		now: new Date(),
		today: tokyoDate(new Date())
	});
	return action;
}

/** ACL-9: a person confirms that a relief document goes to the resident's 発行書類. */
export async function releaseReliefDocument(
	db: Executor,
	caller: Caller,
	input: { id: string; document: string }
): Promise<void> {
	requirePermission(caller, permission);
	const relief = await caseOf(db, caller, input.id);
	const { document } = input;
	const mine = [relief.forward_letter_id, relief.decision_document_id].includes(document);
	const released = mine
		? await db
				.updateTable('issued_document')
				.set({ released_at: new Date() })
				.where('id', '=', document)
				.where('released_at', 'is', null)
				.executeTakeFirst()
		: undefined;
	const ok = released?.numUpdatedRows === 1n;
	await auditAs(db, caller, {
		action: 'document.release',
		subjectAtenaNumber: relief.subject_atena_number,
		objectType: 'issued_document',
		objectId: document.slice(0, 64),
		result: ok ? 'ok' : 'denied'
	});
	if (!ok) throw new ReliefError('not_released');
}

/** Scheduled payments due in a period, for the city's finance system. Never a 個人番号. */
export async function reliefPaymentsFile(
	db: Executor,
	caller: Caller,
	input: { from: string; until: string }
) {
	requirePermission(caller, permission);
	const { from, until } = input;
	if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(until)) {
		throw new ReliefError('dates_invalid');
	}
	const { csv, rows } = await paymentsCsv(db, {
		municipalityCode: caller.municipalityCode,
		from,
		until
	});
	await auditAs(db, caller, {
		action: 'relief.export',
		result: 'ok',
		payload: { from, until, rows }
	});
	return {
		fileName: `relief-payments-${from}-${until}.csv`,
		contentType: 'text/csv; charset=utf-8',
		content: csv
	};
}
