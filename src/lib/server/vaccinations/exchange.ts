// Vaccination records in bulk (DOMAIN.md P7, issue 9): export of the 予防接種台帳 as CSV in a
// documented layout (docs/dose-exchange.md) or as FHIR R4 Immunization resources, and import of
// either. Imported doses pass the same rules as keyed ones (doseProblems) line by line; a bad
// line is reported by its number and the rest go in, in one transaction. They wait for a second
// person's check (ACC-1) unless the city trusts the source. Never a 個人番号 in either direction.
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { z } from 'zod';
import { calendarDate } from '../time';
import { recordAudit, type Actor, type AuditContext } from '../audit/record';
import type { Database, Executor } from '../db';
import { toCsv } from '../csv';
import { tokyoDate } from '../time';
import { atenaSystem, fhirSchemaErrors, type FhirDose, type FhirPerson } from './fhir';
import { doseProblems, lotPattern, normalizeLot, type DoseRefusal } from './records';
import { dosesWithVaccine } from './dose-query';

export const doseCsvColumns = [
	'atena_number',
	'vaccine_code',
	'dose_code',
	'administered_on',
	'institution_code',
	'institution_name',
	'product_name',
	'manufacturer',
	'lot_number',
	'dose_volume_ml',
	'legal_basis',
	'voucher_number'
] as const;

export type ImportedDose = {
	line: number;
	atenaNumber: string;
	vaccineCode: string;
	doseCode: string;
	administeredOn: string;
	institutionCode: string | null;
	institutionName: string | null;
	productName: string | null;
	manufacturer: string | null;
	lotNumber: string | null;
	doseVolumeMl: string | null;
	legalBasis: 'statutory' | 'administrative' | 'voluntary';
	voucherNumber: string | null;
};
export type DoseImportError = {
	line: number;
	field: string | null;
	code:
		DoseRefusal | 'invalid' | 'column_count' | 'malformed_csv' | 'fhir_schema' | 'patient_unknown';
};

/** The city's doses (administered, checked, not voided), with the people they belong to. */
export async function dosesForExport(
	db: Executor,
	input: { municipalityCode: string; from?: string; until?: string; atenaNumbers?: string[] }
): Promise<{ people: FhirPerson[]; doses: FhirDose[] }> {
	let query = dosesWithVaccine(db)
		.select([
			'd.id',
			'd.atena_number',
			'd.vaccine_code',
			'd.dose_code',
			'v.name_ja',
			'vd.sequence',
			'd.administered_on',
			'd.institution_code',
			sql<string | null>`coalesce(i.name_ja, d.institution_name)`.as('institution_name'),
			'd.product_name',
			'd.manufacturer',
			'd.lot_number',
			sql<string | null>`d.dose_volume_ml::text`.as('dose_volume_ml'),
			'd.voided_at',
			'd.entered_at',
			'd.legal_basis',
			'd.voucher_number'
		])
		.where('d.municipality_code', '=', input.municipalityCode)
		.where('d.status', '=', 'administered')
		.where('d.checked_at', 'is not', null)
		.orderBy('d.atena_number')
		.orderBy('d.administered_on')
		.orderBy('d.id');
	if (input.from) query = query.where('d.administered_on', '>=', input.from);
	if (input.until) query = query.where('d.administered_on', '<=', input.until);
	if (input.atenaNumbers) query = query.where('d.atena_number', 'in', input.atenaNumbers);
	const rows = await query.execute();
	const atenas = [...new Set(rows.map((row) => row.atena_number))];
	const people: FhirPerson[] = [];
	for (let start = 0; start < atenas.length; start += 5000) {
		const found = await db
			.selectFrom('resident')
			.select(['atena_number', 'name_kanji', 'name_kana', 'birth_date', 'sex'])
			.where('municipality_code', '=', input.municipalityCode)
			.where('atena_number', 'in', atenas.slice(start, start + 5000))
			.orderBy('atena_number')
			.execute();
		people.push(
			...found.map((person) => ({
				atenaNumber: person.atena_number,
				nameKanji: person.name_kanji,
				nameKana: person.name_kana,
				birthDate: person.birth_date,
				sex: person.sex as 'male' | 'female'
			}))
		);
	}
	return {
		people,
		doses: rows.map((row) => ({
			id: String(row.id),
			atenaNumber: row.atena_number,
			vaccineCode: row.vaccine_code,
			doseCode: row.dose_code,
			vaccineName: row.name_ja,
			doseSequence: row.sequence,
			administeredOn: row.administered_on,
			institutionCode: row.institution_code,
			institutionName: row.institution_name,
			productName: row.product_name,
			manufacturer: row.manufacturer,
			lotNumber: row.lot_number,
			doseVolumeMl: row.dose_volume_ml,
			voided: row.voided_at !== null,
			enteredAt: row.entered_at,
			legalBasis: row.legal_basis,
			voucherNumber: row.voucher_number
		}))
	};
}

/** The export as CSV (voided doses left out: the CSV is the ledger as it stands). */
export function dosesCsv(
	doses: (FhirDose & { legalBasis?: string; voucherNumber?: string | null })[]
): string {
	return toCsv(
		[...doseCsvColumns],
		doses
			.filter((dose) => !dose.voided)
			.map((dose) => [
				dose.atenaNumber,
				dose.vaccineCode,
				dose.doseCode,
				dose.administeredOn,
				dose.institutionCode,
				dose.institutionCode ? null : dose.institutionName,
				dose.productName,
				dose.manufacturer,
				dose.lotNumber,
				dose.doseVolumeMl,
				dose.legalBasis ?? 'statutory',
				dose.voucherNumber ?? null
			])
	);
}

const optional = (schema: z.ZodString) =>
	z.preprocess((value) => (value === '' ? null : value), schema.nullable());
const csvLine = z.object({
	atena_number: z.string().regex(/^[0-9]{1,15}$/),
	vaccine_code: z.string().regex(/^[a-z0-9_]{1,40}$/),
	dose_code: z.string().regex(/^[a-z0-9_]{1,40}$/),
	administered_on: calendarDate,
	institution_code: optional(z.string().regex(/^[0-9]{10}$/)),
	institution_name: optional(z.string().max(100)),
	product_name: optional(z.string().max(100)),
	manufacturer: optional(z.string().max(60)),
	lot_number: optional(z.string().max(40)),
	dose_volume_ml: optional(z.string().regex(/^\d{1,2}(\.\d{1,2})?$/)),
	legal_basis: z.enum(['statutory', 'administrative', 'voluntary']),
	voucher_number: optional(z.string().max(40))
});

/** The documented CSV layout to typed lines, and the lines it cannot read. */
export function parseDoseCsv(text: string): { doses: ImportedDose[]; errors: DoseImportError[] } {
	// A record that is not CSV (a quote never closed) is reported by line, like any bad line.
	const unreadable: DoseImportError[] = [];
	const records = parse(text, {
		bom: true,
		relax_column_count: true,
		skip_empty_lines: true,
		skip_records_with_error: true,
		info: true,
		on_skip: (error) => {
			unreadable.push({
				line: (error as { lines?: number } | undefined)?.lines ?? 0,
				field: null,
				code: 'malformed_csv'
			});
			return undefined;
		}
	}) as unknown as {
		record: string[];
		info: { lines: number };
	}[];
	const [header, ...lines] = records;
	if (!header || header.record.join(',') !== doseCsvColumns.join(',')) {
		return { doses: [], errors: [{ line: 1, field: null, code: 'column_count' }] };
	}
	const doses: ImportedDose[] = [];
	const errors: DoseImportError[] = [...unreadable];
	for (const { record, info } of lines) {
		if (record.length !== doseCsvColumns.length) {
			errors.push({ line: info.lines, field: null, code: 'column_count' });
			continue;
		}
		const parsed = csvLine.safeParse(
			Object.fromEntries(doseCsvColumns.map((column, index) => [column, record[index]!.trim()]))
		);
		if (!parsed.success) {
			errors.push({
				line: info.lines,
				field: String(parsed.error.issues[0]?.path[0] ?? ''),
				code: 'invalid'
			});
			continue;
		}
		const value = parsed.data;
		doses.push({
			line: info.lines,
			atenaNumber: value.atena_number,
			vaccineCode: value.vaccine_code,
			doseCode: value.dose_code,
			administeredOn: value.administered_on,
			institutionCode: value.institution_code,
			institutionName: value.institution_name,
			productName: value.product_name,
			manufacturer: value.manufacturer,
			lotNumber: value.lot_number,
			doseVolumeMl: value.dose_volume_ml,
			legalBasis: value.legal_basis,
			voucherNumber: value.voucher_number
		});
	}
	return { doses, errors };
}

type FhirEntry = {
	resource?: { resourceType?: string; id?: string; [key: string]: unknown };
	fullUrl?: string;
};

/**
 * Immunization resources of a Bundle to lines (the entry's position is its "line"). The bundle
 * must conform to the FHIR R4 schema; patients are matched by this city's 宛名番号 identifier,
 * or — for a 転入者's records sent by their previous municipality — all belong to `forPerson`.
 */
export function parseImmunizationBundle(
	bundle: unknown,
	issuer: string,
	forPerson?: string
): { doses: ImportedDose[]; errors: DoseImportError[] } {
	const schema = fhirSchemaErrors(bundle);
	if (schema.length > 0 || (bundle as { resourceType?: string }).resourceType !== 'Bundle') {
		return {
			doses: [],
			errors: [{ line: 0, field: schema[0] ?? 'resourceType', code: 'fhir_schema' }]
		};
	}
	const entries = ((bundle as { entry?: FhirEntry[] }).entry ?? []) as FhirEntry[];
	const patients = new Map<string, string | null>();
	for (const entry of entries) {
		const resource = entry.resource;
		if (resource?.resourceType !== 'Patient') continue;
		const identifiers = (resource.identifier ?? []) as { system?: string; value?: string }[];
		const atena =
			identifiers.find((identifier) => identifier.system === atenaSystem(issuer))?.value ?? null;
		for (const key of [entry.fullUrl, `Patient/${resource.id}`]) if (key) patients.set(key, atena);
	}
	const doses: ImportedDose[] = [];
	const errors: DoseImportError[] = [];
	entries.forEach((entry, index) => {
		const resource = entry.resource as Record<string, never> | undefined;
		if ((resource as { resourceType?: string } | undefined)?.resourceType !== 'Immunization')
			return;
		const line = index + 1;
		const immunization = resource as unknown as {
			status: string;
			vaccineCode: { coding?: { system?: string; code?: string }[]; text?: string };
			patient: { reference?: string };
			occurrenceDateTime?: string;
			lotNumber?: string;
			manufacturer?: { display?: string };
			doseQuantity?: { value?: number };
			performer?: { actor?: { display?: string; identifier?: { value?: string } } }[];
			protocolApplied?: { doseNumberString?: string; doseNumberPositiveInt?: number }[];
		};
		if (immunization.status !== 'completed') return;
		const atena = forPerson ?? patients.get(immunization.patient.reference ?? '') ?? null;
		if (!atena) {
			errors.push({ line, field: 'patient', code: 'patient_unknown' });
			return;
		}
		const vaccineCode = immunization.vaccineCode.coding?.find((coding) =>
			coding.system?.endsWith('/fhir/CodeSystem/vaccine')
		)?.code;
		const applied = immunization.protocolApplied?.[0];
		const doseCode =
			applied?.doseNumberString ??
			(applied?.doseNumberPositiveInt ? `dose_${applied.doseNumberPositiveInt}` : undefined);
		const day = immunization.occurrenceDateTime?.slice(0, 10);
		if (!vaccineCode || !doseCode || !day || !calendarDate.safeParse(day).success) {
			errors.push({
				line,
				field: !vaccineCode ? 'vaccineCode' : !doseCode ? 'protocolApplied' : 'occurrenceDateTime',
				code: 'invalid'
			});
			return;
		}
		const performer = immunization.performer?.[0]?.actor;
		doses.push({
			line,
			atenaNumber: atena,
			vaccineCode,
			doseCode,
			administeredOn: day,
			institutionCode: forPerson ? null : (performer?.identifier?.value ?? null),
			institutionName: performer?.display ?? (forPerson ? '転入前の市区町村の医療機関' : null),
			productName: null,
			manufacturer: immunization.manufacturer?.display ?? null,
			lotNumber: immunization.lotNumber ?? null,
			doseVolumeMl:
				immunization.doseQuantity?.value !== undefined
					? String(immunization.doseQuantity.value)
					: null,
			legalBasis: 'statutory',
			voucherNumber: null
		});
	});
	return { doses, errors };
}

export class TransferConsentError extends Error {
	override name = 'TransferConsentError';
	constructor() {
		super('records of a 転入者 are imported only with their recorded consent');
	}
}

export type DoseImportReport = {
	id: string;
	entries: number;
	inserted: number;
	trusted: boolean;
	errors: DoseImportError[];
};

/**
 * Writes the good lines as doses awaiting a second person's check (or checked, from a trusted
 * source), in one transaction with the import's record and audit entry.
 */
export async function importDoses(
	db: Database,
	input: {
		municipalityCode: string;
		format: 'csv' | 'fhir';
		sourceName: string;
		/** For records of a 転入者 from another municipality: the person agreed to the transfer. */
		transferConsent: boolean | null;
		parsed: { doses: ImportedDose[]; errors: DoseImportError[] };
		actor: Actor;
		context?: AuditContext;
		now: Date;
	}
): Promise<DoseImportReport> {
	if (input.transferConsent === false) throw new TransferConsentError();
	const today = tokyoDate(input.now);
	return db.transaction().execute(async (trx) => {
		const city = await trx
			.selectFrom('municipality')
			.select('trusted_dose_sources')
			.where('municipality_code', '=', input.municipalityCode)
			.executeTakeFirstOrThrow();
		const trusted = city.trusted_dose_sources.includes(input.sourceName);
		const errors = [...input.parsed.errors];
		const accepted: (ImportedDose & { lot: string | null })[] = [];
		for (const dose of input.parsed.doses) {
			const lot = dose.lotNumber ? normalizeLot(dose.lotNumber) : null;
			// Lot numbers from other systems are kept as sent when they do not follow our label form.
			const problems = await doseProblems(trx, {
				municipalityCode: input.municipalityCode,
				atena: dose.atenaNumber,
				values: {
					vaccineCode: dose.vaccineCode,
					doseCode: dose.doseCode,
					administeredOn: dose.administeredOn,
					institutionCode: dose.institutionCode,
					lotNumber: lot && lotPattern.test(lot) ? lot : null,
					manufacturer: dose.manufacturer
				},
				today
			});
			if (!dose.institutionCode && !dose.institutionName)
				problems.institution = 'institution_unknown';
			const first = Object.entries(problems)[0];
			if (first) {
				errors.push({ line: dose.line, field: first[0], code: first[1]! });
				continue;
			}
			// Two lines of one file for the same dose: the second is a duplicate.
			if (
				accepted.some(
					(other) =>
						other.atenaNumber === dose.atenaNumber &&
						other.vaccineCode === dose.vaccineCode &&
						other.doseCode === dose.doseCode
				)
			) {
				errors.push({ line: dose.line, field: 'dose', code: 'dose_already_recorded' });
				continue;
			}
			accepted.push({ ...dose, lot });
		}
		errors.sort((a, b) => a.line - b.line);
		const run = await trx
			.insertInto('dose_import')
			.values({
				municipality_code: input.municipalityCode,
				format: input.format,
				source_name: input.sourceName,
				consent_recorded: input.transferConsent === true,
				trusted,
				imported_by: `${input.actor.type}:${input.actor.id}`,
				imported_at: input.now,
				entries: input.parsed.doses.length + input.parsed.errors.length,
				inserted: accepted.length,
				errors: JSON.stringify(errors.slice(0, 1000))
			})
			.returning('id')
			.executeTakeFirstOrThrow();
		const enteredBy = `import:${run.id}`;
		for (let start = 0; start < accepted.length; start += 2000) {
			await trx
				.insertInto('vaccination_dose')
				.values(
					accepted.slice(start, start + 2000).map((dose) => ({
						municipality_code: input.municipalityCode,
						atena_number: dose.atenaNumber,
						vaccine_code: dose.vaccineCode,
						dose_code: dose.doseCode,
						legal_basis: dose.legalBasis,
						administered_on: dose.administeredOn,
						institution_code: dose.institutionCode,
						institution_name: dose.institutionCode ? null : dose.institutionName,
						product_name: dose.productName,
						manufacturer: dose.manufacturer,
						lot_number: dose.lot,
						dose_volume_ml: dose.doseVolumeMl,
						voucher_number: dose.voucherNumber,
						status: 'administered',
						source: input.transferConsent === null ? 'import' : 'transfer_in',
						entered_by: enteredBy,
						entered_at: input.now,
						checked_by: trusted ? `trusted:${input.sourceName}` : null,
						checked_at: trusted ? input.now : null,
						import_id: run.id
					}))
				)
				.execute();
		}
		await recordAudit(trx, {
			municipalityCode: input.municipalityCode,
			actor: input.actor,
			context: input.context,
			action: 'vaccination.import',
			objectType: 'dose_import',
			objectId: run.id,
			result: 'ok',
			payload: {
				format: input.format,
				source: input.sourceName,
				trusted,
				consent: input.transferConsent,
				inserted: accepted.length,
				refused: errors.length
			}
		});
		return {
			id: run.id,
			entries: input.parsed.doses.length + input.parsed.errors.length,
			inserted: accepted.length,
			trusted,
			errors
		};
	});
}

/** One audit entry for an export (what and how many, never who). */
export async function auditExport(
	db: Executor,
	input: {
		municipalityCode: string;
		actor: Actor;
		context?: AuditContext;
		format: 'csv' | 'fhir';
		doses: number;
		people: number;
		period: { from?: string; until?: string };
	}
): Promise<void> {
	await recordAudit(db, {
		municipalityCode: input.municipalityCode,
		actor: input.actor,
		context: input.context,
		action: 'vaccination.export',
		result: 'ok',
		payload: {
			format: input.format,
			doses: input.doses,
			people: input.people,
			period: input.period
		}
	});
}
