// Keying returned 予診票 into the 予防接種台帳 (DOMAIN.md P7) with a second person on every
// entry (ACC-1): a dose entered by one person stays "awaiting check" — shown as such to staff and
// residents, and counted by nobody as confirmed — until a different person checks it. The
// database refuses a check by the author too (CHECK checked_by <> entered_by).
import { z } from 'zod';
import { recordAudit, type Actor, type AuditContext } from '../audit/record';
import type { Executor } from '../db';
import { dosesWithVaccine } from './dose-query';
import { m } from '$lib/paraglide/messages';
import { DomainError, type MessageMap } from '../errors';
import { sameCity } from '../db/same-city';

export type DoseRefusal =
	| 'case_closed'
	| 'person_unknown'
	| 'dose_unknown'
	| 'date_before_birth'
	| 'date_in_future'
	| 'dose_out_of_order'
	| 'dose_already_recorded'
	| 'institution_unknown'
	| 'lot_format';

export const doseRefusalText: MessageMap<DoseRefusal> = {
	person_unknown: m.dose_error_person_unknown,
	dose_unknown: m.dose_error_dose_unknown,
	date_before_birth: m.dose_error_before_birth,
	date_in_future: m.dose_error_future,
	dose_out_of_order: m.dose_error_out_of_order,
	dose_already_recorded: m.dose_error_already_recorded,
	institution_unknown: m.dose_error_institution_unknown,
	lot_format: m.dose_error_lot_format,
	case_closed: m.dose_error_case_closed
};

/** A dose the ledger refuses, with the rule each field broke. */
export class DoseEntryError extends DomainError<'invalid'> {
	protected readonly messages = { invalid: m.error_summary_heading };
	constructor(readonly errors: Partial<Record<string, DoseRefusal>>) {
		super(
			'invalid',
			400,
			Object.fromEntries(
				Object.entries(errors).map(([field, code]) => [field, doseRefusalText[code!]()])
			)
		);
		this.message = Object.values(errors).join(', ');
	}
}

export class DoseCheckError extends DomainError<'own_entry' | 'not_pending'> {
	protected readonly messages = {
		own_entry: m.dose_check_own,
		not_pending: m.dose_check_not_pending
	};
}

export const doseEntry = z.object({
	atena: z
		.string()
		.trim()
		.regex(/^[0-9]{1,15}$/),
	dose: z.string().regex(/^[a-z0-9_]+:[a-z0-9_]+$/),
	administeredOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
	institution: z.string().regex(/^[0-9]{10}$/),
	lot: z.string().trim().max(40),
	manufacturer: z.string().trim().max(60).default('')
});
export type DoseEntry = z.infer<typeof doseEntry>;

/**
 * A dose copied from the 母子健康手帳 photographed for a certificate request: given anywhere
 * (another city, abroad), so the institution is a name as the handbook prints it, and the lot
 * number only when the handbook's sticker shows one.
 */
export const handbookDoseEntry = z.object({
	dose: z.string().regex(/^[a-z0-9_]+:[a-z0-9_]+$/),
	administeredOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
	institutionName: z.string().trim().min(1).max(80),
	institutionNameEn: z
		.string()
		.trim()
		.min(1)
		.max(80)
		.regex(/^[ -~]+$/),
	lot: z.string().trim().max(40).default(''),
	manufacturer: z.string().trim().max(60).default('')
});
export type HandbookDoseEntry = z.infer<typeof handbookDoseEntry>;

/** 予診票 lot numbers: letters, digits and hyphens, as printed on the vial label. */
export const lotPattern = /^[A-Z0-9][A-Z0-9-]{2,19}$/;

/** The dose's values as the 予防接種台帳 keeps them (what a correction may change). */
export type DoseValues = {
	vaccineCode: string;
	doseCode: string;
	administeredOn: string;
	institutionCode: string | null;
	lotNumber: string | null;
	manufacturer: string | null;
};

/** Lot numbers typed from the vial label may come in full width or lower case. */
export const normalizeLot = (lot: string) => lot.normalize('NFKC').trim().toUpperCase();

/**
 * Why these values cannot stand in the person's record, by field; empty when they can. Shared by
 * a new entry and a correction (which ignores the dose it corrects); voided doses do not count.
 */
export async function doseProblems(
	db: Executor,
	input: {
		municipalityCode: string;
		atena: string;
		values: DoseValues;
		today: string;
		ignoreDoseId?: string;
	}
): Promise<Partial<Record<string, DoseRefusal>>> {
	const { values } = input;
	const [person, dose, institution, earlier] = await Promise.all([
		db
			.selectFrom('resident')
			.select(['birth_date'])
			.where('municipality_code', '=', input.municipalityCode)
			.where('atena_number', '=', input.atena)
			.executeTakeFirst(),
		db
			.selectFrom('vaccine_dose')
			.select(['sequence', 'repeats_yearly'])
			.where('municipality_code', '=', input.municipalityCode)
			.where('vaccine_code', '=', values.vaccineCode)
			.where('dose_code', '=', values.doseCode)
			.executeTakeFirst(),
		values.institutionCode === null
			? Promise.resolve(null)
			: db
					.selectFrom('medical_institution')
					.select('institution_code')
					.where('municipality_code', '=', input.municipalityCode)
					.where('institution_code', '=', values.institutionCode)
					.executeTakeFirst(),
		db
			.selectFrom('vaccination_dose')
			.innerJoin('vaccine_dose', (join) =>
				sameCity(
					join,
					['vaccine_dose.vaccine_code', 'vaccination_dose.vaccine_code'],
					['vaccine_dose.dose_code', 'vaccination_dose.dose_code']
				)
			)
			.select([
				'vaccination_dose.dose_code',
				'vaccination_dose.administered_on',
				'vaccine_dose.sequence'
			])
			.where('vaccination_dose.municipality_code', '=', input.municipalityCode)
			.where('vaccination_dose.atena_number', '=', input.atena)
			.where('vaccination_dose.vaccine_code', '=', values.vaccineCode)
			.where('vaccination_dose.status', '=', 'administered')
			.where('vaccination_dose.voided_at', 'is', null)
			.$if(input.ignoreDoseId !== undefined, (query) =>
				query.where('vaccination_dose.id', '<>', input.ignoreDoseId!)
			)
			.execute()
	]);
	const errors: Partial<Record<string, DoseRefusal>> = {};
	if (!person) errors.atena = 'person_unknown';
	if (!dose) errors.dose = 'dose_unknown';
	// Doses given elsewhere carry an institution name instead of a code; a code must be known.
	if (values.institutionCode !== null && !institution) errors.institution = 'institution_unknown';
	if (values.lotNumber !== null && !lotPattern.test(values.lotNumber)) errors.lot = 'lot_format';
	if (values.administeredOn > input.today) errors.administeredOn = 'date_in_future';
	else if (person && values.administeredOn < person.birth_date) {
		errors.administeredOn = 'date_before_birth';
	}
	if (dose && !dose.repeats_yearly) {
		if (earlier.some((given) => given.dose_code === values.doseCode))
			errors.dose = 'dose_already_recorded';
		// A later dose of the series cannot predate an earlier one already on record, and the
		// dose before it must be on record (or be entered first).
		else if (
			earlier.some(
				(given) => given.sequence > dose.sequence && given.administered_on < values.administeredOn
			) ||
			earlier.some(
				(given) => given.sequence < dose.sequence && given.administered_on > values.administeredOn
			)
		) {
			errors.dose = 'dose_out_of_order';
		}
	}
	return errors;
}

/** Where an entry came from, beyond its values: a 予診票's clinic, or a handbook's request. */
type EntryOrigin =
	| { source: 'yoshinhyo'; institutionCode: string }
	| {
			source: 'handbook';
			applicationId: string;
			institutionName: string;
			institutionNameEn: string;
	  };

/**
 * One entry into the ledger, awaiting its second person: checked against the person's record,
 * inserted and audited together. Shared by the 予診票 keying and the handbook keying.
 */
async function insertEntry(
	db: Executor,
	input: {
		municipalityCode: string;
		atena: string;
		dose: string;
		administeredOn: string;
		lot: string;
		manufacturer: string;
		origin: EntryOrigin;
		actor: Actor;
		context: AuditContext;
		today: string;
		now: Date;
	}
): Promise<{ id: string }> {
	const { origin } = input;
	// A 予診票 always carries the vial's lot (an empty one is refused by its format); a handbook
	// shows one only when its sticker does.
	const lot = origin.source === 'yoshinhyo' || input.lot ? normalizeLot(input.lot) : null;
	const [vaccineCode, doseCode] = input.dose.split(':') as [string, string];
	const institutionCode = origin.source === 'yoshinhyo' ? origin.institutionCode : null;
	const errors = await doseProblems(db, {
		municipalityCode: input.municipalityCode,
		atena: input.atena,
		values: {
			vaccineCode,
			doseCode,
			administeredOn: input.administeredOn,
			institutionCode,
			lotNumber: lot,
			manufacturer: input.manufacturer || null
		},
		today: input.today
	});
	if (Object.keys(errors).length > 0) throw new DoseEntryError(errors);
	return db.transaction().execute(async (trx) => {
		const row = await trx
			.insertInto('vaccination_dose')
			.values({
				municipality_code: input.municipalityCode,
				atena_number: input.atena,
				vaccine_code: vaccineCode,
				dose_code: doseCode,
				legal_basis: 'statutory',
				administered_on: input.administeredOn,
				institution_code: institutionCode,
				...(origin.source === 'handbook'
					? {
							institution_name: origin.institutionName,
							institution_name_en: origin.institutionNameEn,
							application_id: origin.applicationId
						}
					: {}),
				lot_number: lot,
				manufacturer: input.manufacturer || null,
				status: 'administered',
				source: origin.source,
				entered_by: input.actor.id,
				entered_at: input.now
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		await recordAudit(trx, {
			municipalityCode: input.municipalityCode,
			actor: input.actor,
			context: input.context,
			action: 'vaccination.enter',
			subjectAtenaNumber: input.atena,
			objectType: 'vaccination_dose',
			objectId: String(row.id),
			result: 'ok',
			payload:
				origin.source === 'handbook'
					? {
							vaccine: vaccineCode,
							dose: doseCode,
							source: 'handbook',
							application: origin.applicationId
						}
					: { vaccine: vaccineCode, dose: doseCode }
		});
		return { id: String(row.id) };
	});
}

export async function enterDose(
	db: Executor,
	input: {
		municipalityCode: string;
		entry: DoseEntry;
		actor: Actor;
		context: AuditContext;
		today: string;
		now: Date;
	}
): Promise<{ id: string }> {
	const { entry } = input;
	return insertEntry(db, {
		...input,
		atena: entry.atena,
		dose: entry.dose,
		administeredOn: entry.administeredOn,
		lot: entry.lot,
		manufacturer: entry.manufacturer,
		origin: { source: 'yoshinhyo', institutionCode: entry.institution }
	});
}

/**
 * Keys a dose from the handbook photo of a certificate request (issue 25, item 1): into the
 * person's ledger, awaiting a second person's check like every entry, and tied to the request so
 * that its certificate certifies it. Only while the request is being worked and only when the
 * resident asked for doses from the handbook.
 */
export async function enterHandbookDose(
	db: Executor,
	input: {
		municipalityCode: string;
		applicationId: string;
		entry: HandbookDoseEntry;
		actor: Actor;
		context: AuditContext;
		today: string;
		now: Date;
	}
): Promise<{ id: string }> {
	const { entry } = input;
	const application = await db
		.selectFrom('application as a')
		.innerJoin('application_version as v', (join) =>
			join.onRef('v.application_id', '=', 'a.id').onRef('v.version', '=', 'a.current_version')
		)
		.select(['a.subject_atena_number', 'a.stage', 'a.kind', 'v.payload'])
		.where('a.id', '=', input.applicationId)
		.where('a.municipality_code', '=', input.municipalityCode)
		.executeTakeFirst();
	const open =
		application?.kind === 'certificate' &&
		['assigned', 'awaiting_approval'].includes(application.stage) &&
		application.subject_atena_number !== null &&
		(JSON.parse(application.payload) as { doses_from_handbook?: boolean }).doses_from_handbook ===
			true;
	if (!open) throw new DoseEntryError({ dose: 'case_closed' });
	return insertEntry(db, {
		...input,
		atena: application.subject_atena_number!,
		dose: entry.dose,
		administeredOn: entry.administeredOn,
		lot: entry.lot,
		manufacturer: entry.manufacturer,
		origin: {
			source: 'handbook',
			applicationId: input.applicationId,
			institutionName: entry.institutionName,
			institutionNameEn: entry.institutionNameEn
		}
	});
}

/** The second person confirms an entry; its author cannot, nor can anyone check twice. */
export async function checkDose(
	db: Executor,
	input: {
		municipalityCode: string;
		id: string;
		actor: Actor;
		context: AuditContext;
		now: Date;
	}
): Promise<void> {
	const row = /^[0-9]{1,18}$/.test(input.id)
		? await db
				.selectFrom('vaccination_dose')
				.select(['id', 'entered_by', 'checked_by', 'atena_number', 'voided_at'])
				.where('municipality_code', '=', input.municipalityCode)
				.where('id', '=', input.id)
				.executeTakeFirst()
		: undefined;
	const audit = (result: 'ok' | 'denied', payload?: Record<string, unknown>) => ({
		municipalityCode: input.municipalityCode,
		actor: input.actor,
		context: input.context,
		action: 'vaccination.check' as const,
		subjectAtenaNumber: row?.atena_number,
		objectType: 'vaccination_dose',
		objectId: input.id.slice(0, 20),
		result,
		payload
	});
	const refusal =
		!row || row.checked_by || row.voided_at
			? 'not_pending'
			: row.entered_by === input.actor.id
				? 'own_entry'
				: null;
	if (refusal) {
		await recordAudit(db, audit('denied', { refused: refusal }));
		throw new DoseCheckError(refusal);
	}
	await db.transaction().execute(async (trx) => {
		const updated = await trx
			.updateTable('vaccination_dose')
			.set({ checked_by: input.actor.id, checked_at: input.now })
			.where('id', '=', input.id)
			.where('checked_by', 'is', null)
			.where('voided_at', 'is', null)
			.where('entered_by', '<>', input.actor.id)
			.executeTakeFirst();
		if (updated.numUpdatedRows !== 1n) throw new DoseCheckError('not_pending');
		await recordAudit(trx, audit('ok'));
	});
}

/** Entries awaiting a second person, oldest first, marking those the viewer entered. */
export async function pendingDoses(
	db: Executor,
	input: { municipalityCode: string; viewerId: string; limit?: number }
) {
	const rows = await dosesWithVaccine(db)
		.innerJoin('resident', (join) => sameCity(join, ['resident.atena_number', 'd.atena_number']))
		.select([
			'd.id',
			'd.atena_number',
			'd.administered_on',
			'd.lot_number',
			'd.entered_by',
			'd.entered_at',
			'resident.name_kanji',
			'v.name_ja',
			'vd.label_ja'
		])
		.where('d.municipality_code', '=', input.municipalityCode)
		.where('d.checked_by', 'is', null)
		.where('d.voided_at', 'is', null)
		.orderBy('d.entered_at')
		.limit(input.limit ?? 100)
		.execute();
	return rows.map((row) => ({
		id: String(row.id),
		atena: row.atena_number,
		name: row.name_kanji,
		dose: `${row.name_ja} ${row.label_ja}`,
		administeredOn: row.administered_on,
		lot: row.lot_number,
		enteredAt: row.entered_at.toISOString(),
		own: row.entered_by === input.viewerId
	}));
}
