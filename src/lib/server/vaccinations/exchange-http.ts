// The staff screen for vaccination records in bulk: export the 予防接種台帳 (CSV in the documented
// layout, or FHIR R4) for a period, import a file from the vendor 健康管理システム or — for one
// 転入者, with their consent — from their previous municipality, and (administrators) the
// sources whose doses need no second check. Imports, exports and setting changes are audited.
import { actorOf } from '../audit/caller';
import { staffCaller } from '../http/caller';
import { error, fail, type RequestEvent } from '@sveltejs/kit';
import { z } from 'zod';
import { messageFor } from '$lib/messages';
import { m } from '$lib/paraglide/messages';
import { recordAudit } from '../audit/record';
import { config } from '../config';
import { db } from '../db';
import { calendarDate } from '../time';
import { requirePermission } from '../staff/permissions';
import {
	auditExport,
	dosesCsv,
	dosesForExport,
	importDoses,
	parseDoseCsv,
	parseImmunizationBundle
} from './exchange';
import { immunizationBundle } from './fhir';
import { formOf } from '../http/form';

const maxImportBytes = 20 * 1024 * 1024;

export async function exchangeLoad(event: RequestEvent) {
	const staff = event.locals.staff!;
	const canExport = staff.permissions.has('export.records');
	const canImport = staff.permissions.has('vaccination.enter');
	const canTrust = staff.permissions.has('settings.manage');
	if (!canExport && !canImport && !canTrust) error(403, m.staff_forbidden());
	const city = await db()
		.selectFrom('municipality')
		.select('trusted_dose_sources')
		.where('municipality_code', '=', staff.municipalityCode)
		.executeTakeFirstOrThrow();
	const imports = canImport
		? await db()
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
				.where('municipality_code', '=', staff.municipalityCode)
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

export async function exportFile(event: RequestEvent): Promise<Response> {
	const staff = requirePermission(event.locals, 'export.records');
	const format =
		event.params.format === 'fhir' ? 'fhir' : event.params.format === 'csv' ? 'csv' : null;
	if (!format) error(404, m.error_not_found());
	const parsed = period.safeParse({
		from: event.url.searchParams.get('from') || undefined,
		until: event.url.searchParams.get('until') || undefined
	});
	if (!parsed.success) error(400, m.exchange_period_invalid());
	const { people, doses } = await dosesForExport(db(), {
		municipalityCode: staff.municipalityCode,
		...parsed.data
	});
	await auditExport(db(), {
		municipalityCode: staff.municipalityCode,
		actor: actorOf(staffCaller(event.locals)),
		context: event.locals.audit,
		format,
		doses: doses.length,
		people: people.length,
		period: parsed.data
	});
	const body =
		format === 'csv'
			? dosesCsv(doses)
			: JSON.stringify(immunizationBundle(config().origin, people, doses, new Date()));
	return new Response(body, {
		headers: {
			'Content-Type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/fhir+json',
			'Content-Disposition': `attachment; filename="vaccinations.${format === 'csv' ? 'csv' : 'fhir.json'}"`,
			'Cache-Control': 'no-store'
		}
	});
}

export async function importAction(event: RequestEvent) {
	const staff = requirePermission(event.locals, 'vaccination.enter');
	const form = await formOf(event.request);
	const values = {
		source: String(form.get('source') ?? '')
			.trim()
			.slice(0, 100),
		person: String(form.get('person') ?? '')
			.trim()
			.slice(0, 15),
		consent: form.get('consent') === 'on'
	};
	const file = form.get('file');
	if (!(file instanceof File) || file.size === 0)
		return fail(400, { values, message: m.exchange_file_required() });
	if (file.size > maxImportBytes)
		return fail(400, { values, message: m.exchange_file_too_large() });
	if (!values.source) return fail(400, { values, message: m.exchange_source_required() });
	if (values.person && !/^[0-9]{1,15}$/.test(values.person))
		return fail(400, { values, message: m.exchange_person_invalid() });
	// A 転入者's records from another municipality come only with the person's consent (000:L593).
	if (values.person && !values.consent)
		return fail(400, { values, message: m.exchange_consent_required() });
	const text = new TextDecoder().decode(await file.arrayBuffer());
	let parsed: ReturnType<typeof parseDoseCsv>;
	let format: 'csv' | 'fhir';
	if (/^\s*\{/.test(text)) {
		format = 'fhir';
		let bundle: unknown;
		try {
			bundle = JSON.parse(text);
		} catch {
			return fail(400, { values, message: m.exchange_not_fhir() });
		}
		parsed = parseImmunizationBundle(bundle, config().origin, values.person || undefined);
	} else {
		format = 'csv';
		parsed = parseDoseCsv(text);
		if (values.person)
			parsed.doses = parsed.doses.map((dose) => ({ ...dose, atenaNumber: values.person }));
	}
	const report = await importDoses(db(), {
		municipalityCode: staff.municipalityCode,
		format,
		sourceName: values.source,
		transferConsent: values.person ? values.consent : null,
		parsed,
		actor: actorOf(staffCaller(event.locals)),
		context: event.locals.audit,
		now: new Date()
	});
	return {
		values,
		report: {
			inserted: report.inserted,
			trusted: report.trusted,
			errors: report.errors.slice(0, 200).map((refused) => ({
				line: refused.line,
				field: refused.field,
				message: messageFor(`exchange_error_${refused.code}`)
			}))
		}
	};
}

export async function trustAction(event: RequestEvent) {
	const staff = requirePermission(event.locals, 'settings.manage');
	const form = await formOf(event.request);
	const source = String(form.get('source') ?? '')
		.trim()
		.slice(0, 100);
	const remove = form.get('remove') === '1';
	const reason = String(form.get('reason') ?? '')
		.trim()
		.slice(0, 500);
	if (!source) return fail(400, { message: m.exchange_source_required() });
	if (!reason) return fail(400, { message: m.exchange_reason_required() });
	await db()
		.transaction()
		.execute(async (trx) => {
			const city = await trx
				.selectFrom('municipality')
				.select('trusted_dose_sources')
				.where('municipality_code', '=', staff.municipalityCode)
				.forUpdate()
				.executeTakeFirstOrThrow();
			const next = remove
				? city.trusted_dose_sources.filter((name) => name !== source)
				: [...new Set([...city.trusted_dose_sources, source])];
			await trx
				.updateTable('municipality')
				.set({ trusted_dose_sources: next })
				.where('municipality_code', '=', staff.municipalityCode)
				.execute();
			await recordAudit(trx, {
				municipalityCode: staff.municipalityCode,
				actor: actorOf(staffCaller(event.locals)),
				context: event.locals.audit,
				action: 'settings.trusted_sources',
				reason,
				result: 'ok',
				payload: { source, change: remove ? 'removed' : 'added' }
			});
		});
	return { trustedSaved: true };
}
