// The 予防接種台帳 in bulk, as the staff screen works it: export for a period (CSV in the
// documented layout, or FHIR R4), import a file from the vendor 健康管理システム or — for one
// 転入者, with their consent — from their previous municipality, and (administrators) the
// sources whose doses need no second check. Exports, imports and setting changes are audited.
import { messageFor } from '$lib/messages';
import { m } from '$lib/paraglide/messages';
import { actorOf, auditAs, requirePermission, type Caller } from '../audit/caller';
import { config } from '../config';
import type { Executor } from '../db';
import { AccessRefused, DomainError } from '../errors';
import { calendarDate } from '../time';
import { z } from 'zod';
import {
	auditExport,
	dosesCsv,
	dosesForExport,
	importDoses,
	parseDoseCsv,
	parseImmunizationBundle
} from './exchange';
import { immunizationBundle } from './fhir';

export type LedgerFileRefusal =
	| 'period_invalid'
	| 'file_required'
	| 'file_too_large'
	| 'source_required'
	| 'person_invalid'
	| 'consent_required'
	| 'not_fhir'
	| 'reason_required';

export class LedgerFileError extends DomainError<LedgerFileRefusal> {
	protected readonly messages = {
		period_invalid: m.exchange_period_invalid,
		file_required: m.exchange_file_required,
		file_too_large: m.exchange_file_too_large,
		source_required: m.exchange_source_required,
		person_invalid: m.exchange_person_invalid,
		consent_required: m.exchange_consent_required,
		not_fhir: m.exchange_not_fhir,
		reason_required: m.exchange_reason_required
	};
}

export const maxImportBytes = 20 * 1024 * 1024;

/**
 * What the screen offers this staff member, the last imports and the trusted sources.
 * @audit none — import batches (counts, source names) and a setting; no person's data.
 */
export async function ledgerFilesScreen(db: Executor, caller: Caller) {
	if (caller.type !== 'staff') throw new AccessRefused('sign_in_required');
	const canExport = caller.permissions.has('export.records');
	const canImport = caller.permissions.has('vaccination.enter');
	const canTrust = caller.permissions.has('settings.manage');
	if (!canExport && !canImport && !canTrust) throw new AccessRefused('forbidden');
	const city = await db
		.selectFrom('municipality')
		.select('trusted_dose_sources')
		.where('municipality_code', '=', caller.municipalityCode)
		.executeTakeFirstOrThrow();
	const imports = canImport
		? await db
				.selectFrom('dose_import')
				.select([
					'id',
					'format',
					'source_name',
					'consent_recorded',
					'trusted',
					'imported_at',
					'entries',
					'inserted'
				])
				.where('municipality_code', '=', caller.municipalityCode)
				.orderBy('imported_at', 'desc')
				.limit(20)
				.execute()
		: [];
	return {
		canExport,
		canImport,
		canTrust,
		trusted: city.trusted_dose_sources,
		imports: imports.map((row) => ({ ...row, imported_at: row.imported_at.toISOString() }))
	};
}

const period = z.object({ from: calendarDate.optional(), until: calendarDate.optional() });

/** The ledger's doses for a period as a file, the export audited with its counts. */
export async function exportLedger(
	db: Executor,
	caller: Caller,
	input: { format: 'csv' | 'fhir'; from: string | null; until: string | null }
): Promise<{ fileName: string; contentType: string; content: string }> {
	requirePermission(caller, 'export.records');
	const parsed = period.safeParse({
		from: input.from || undefined,
		until: input.until || undefined
	});
	if (!parsed.success) throw new LedgerFileError('period_invalid');
	const { people, doses } = await dosesForExport(db, {
		municipalityCode: caller.municipalityCode,
		...parsed.data
	});
	await auditExport(db, {
		municipalityCode: caller.municipalityCode,
		actor: actorOf(caller),
		context: caller.context,
		format: input.format,
		doses: doses.length,
		people: people.length,
		period: parsed.data
	});
	return input.format === 'csv'
		? {
				fileName: 'vaccinations.csv',
				contentType: 'text/csv; charset=utf-8',
				content: dosesCsv(doses)
			}
		: {
				fileName: 'vaccinations.fhir.json',
				contentType: 'application/fhir+json',
				content: JSON.stringify(immunizationBundle(config().origin, people, doses, new Date()))
			};
}

export type LedgerImportForm = { source: string; person: string; consent: boolean };

/** A file of doses imported (CSV or a FHIR bundle); the report of what went in and what did not. */
export async function importLedgerFile(
	db: Executor,
	caller: Caller,
	input: { values: LedgerImportForm; file: File | null }
) {
	requirePermission(caller, 'vaccination.enter');
	const { values, file } = input;
	if (!file || file.size === 0) throw new LedgerFileError('file_required');
	if (file.size > maxImportBytes) throw new LedgerFileError('file_too_large');
	if (!values.source) throw new LedgerFileError('source_required');
	if (values.person && !/^[0-9]{1,15}$/.test(values.person))
		throw new LedgerFileError('person_invalid');
	// A 転入者's records from another municipality come only with the person's consent (000:L593).
	if (values.person && !values.consent) throw new LedgerFileError('consent_required');
	const text = new TextDecoder().decode(await file.arrayBuffer());
	let parsed: ReturnType<typeof parseDoseCsv>;
	let format: 'csv' | 'fhir';
	if (/^\s*\{/.test(text)) {
		format = 'fhir';
		let bundle: unknown;
		try {
			bundle = JSON.parse(text);
		} catch {
			throw new LedgerFileError('not_fhir');
		}
		parsed = parseImmunizationBundle(bundle, config().origin, values.person || undefined);
	} else {
		format = 'csv';
		parsed = parseDoseCsv(text);
		if (values.person)
			parsed.doses = parsed.doses.map((dose) => ({ ...dose, atenaNumber: values.person }));
	}
	const report = await importDoses(db, {
		municipalityCode: caller.municipalityCode,
		format,
		sourceName: values.source,
		transferConsent: values.person ? values.consent : null,
		parsed,
		actor: actorOf(caller),
		context: caller.context,
		now: new Date()
	});
	return {
		inserted: report.inserted,
		trusted: report.trusted,
		errors: report.errors.slice(0, 200).map((refused) => ({
			line: refused.line,
			field: refused.field,
			message: messageFor(`exchange_error_${refused.code}`)
		}))
	};
}

/** A source added to (or removed from) those whose doses need no second check, with the reason. */
export async function setTrustedSource(
	db: Executor,
	caller: Caller,
	input: { source: string; remove: boolean; reason: string }
): Promise<void> {
	requirePermission(caller, 'settings.manage');
	const { source, remove, reason } = input;
	if (!source) throw new LedgerFileError('source_required');
	if (!reason) throw new LedgerFileError('reason_required');
	await db.transaction().execute(async (trx) => {
		const city = await trx
			.selectFrom('municipality')
			.select('trusted_dose_sources')
			.where('municipality_code', '=', caller.municipalityCode)
			.forUpdate()
			.executeTakeFirstOrThrow();
		const next = remove
			? city.trusted_dose_sources.filter((name) => name !== source)
			: [...new Set([...city.trusted_dose_sources, source])];
		await trx
			.updateTable('municipality')
			.set({ trusted_dose_sources: next })
			.where('municipality_code', '=', caller.municipalityCode)
			.execute();
		await auditAs(trx, caller, {
			action: 'settings.trusted_sources',
			reason,
			result: 'ok',
			payload: { source, change: remove ? 'removed' : 'added' }
		});
	});
}
