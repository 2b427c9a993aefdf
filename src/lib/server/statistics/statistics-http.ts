// The statistics screen: the yearly 接種者数 report (also as CSV and PDF for the prefecture) and
// the 事務's operational figures, for a chosen 年度. Views and downloads are audited.
import { error, type RequestEvent } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages';
import { getLocale } from '$lib/paraglide/runtime';
import { recordAudit } from '../audit/record';
import { staffActor } from '../auth/http';
import { db } from '../db';
import { findServedMunicipality } from '../municipality';
import { tokyoDate } from '../time';
import { requirePermission } from '../staff/permissions';
import { renderYearlyReport, yearlyReportCsv } from './export';
import { ageGroups, operationalFigures, suppressBelow, yearlyReport } from './report';

const permission = 'export.records';

/** The 年度 asked for, or the one that has just ended (the report the prefecture wants). */
function fiscalYearOf(event: RequestEvent): number {
	const today = tokyoDate(new Date());
	const current = Number(today.slice(0, 4)) - (today.slice(5) < '04-01' ? 1 : 0);
	const asked = Number(event.params.year ?? event.url.searchParams.get('year') ?? current - 1);
	if (!Number.isInteger(asked) || asked < 2000 || asked > current)
		error(400, m.statistics_year_invalid());
	return asked;
}

async function audit(
	event: RequestEvent,
	action: 'statistics.view' | 'statistics.export',
	payload: Record<string, unknown>
) {
	const staff = event.locals.staff!;
	await recordAudit(db(), {
		municipalityCode: staff.municipalityCode,
		actor: staffActor(event.locals),
		context: event.locals.audit,
		action,
		result: 'ok',
		payload
	});
}

export async function statisticsLoad(event: RequestEvent) {
	const staff = requirePermission(event.locals, permission);
	const fiscalYear = fiscalYearOf(event);
	const today = tokyoDate(new Date());
	const locale = getLocale() === 'en' ? 'en' : 'ja';
	const [rows, figures] = await Promise.all([
		yearlyReport(db(), { municipalityCode: staff.municipalityCode, fiscalYear, locale }),
		operationalFigures(db(), { municipalityCode: staff.municipalityCode, fiscalYear, today })
	]);
	await audit(event, 'statistics.view', { fiscal_year: fiscalYear });
	const current = Number(today.slice(0, 4)) - (today.slice(5) < '04-01' ? 1 : 0);
	return {
		fiscalYear,
		years: Array.from({ length: 6 }, (_, index) => current - index),
		groups: ageGroups.map((group) => (locale === 'en' ? group.en : group.ja)),
		rows,
		figures,
		suppressBelow
	};
}

export async function yearlyCsv(event: RequestEvent): Promise<Response> {
	const staff = requirePermission(event.locals, permission);
	const fiscalYear = fiscalYearOf(event);
	const locale = getLocale() === 'en' ? 'en' : 'ja';
	const rows = await yearlyReport(db(), {
		municipalityCode: staff.municipalityCode,
		fiscalYear,
		locale
	});
	await audit(event, 'statistics.export', { fiscal_year: fiscalYear, format: 'csv' });
	return new Response(yearlyReportCsv(rows, locale), {
		headers: {
			'Content-Type': 'text/csv; charset=utf-8',
			'Content-Disposition': `attachment; filename="vaccinations-${fiscalYear}.csv"`,
			'Cache-Control': 'no-store'
		}
	});
}

export async function yearlyPdf(event: RequestEvent): Promise<Response> {
	const staff = requirePermission(event.locals, permission);
	const fiscalYear = fiscalYearOf(event);
	const municipality = await findServedMunicipality(db(), staff.municipalityCode);
	if (!municipality) error(404, m.error_not_found());
	const rows = await yearlyReport(db(), {
		municipalityCode: staff.municipalityCode,
		fiscalYear,
		locale: 'ja'
	});
	const pdf = await renderYearlyReport({
		municipality,
		fiscalYear,
		rows,
		issuedOn: tokyoDate(new Date())
	});
	await audit(event, 'statistics.export', { fiscal_year: fiscalYear, format: 'pdf' });
	return new Response(new Uint8Array(pdf), {
		headers: {
			'Content-Type': 'application/pdf',
			'Content-Disposition': `attachment; filename="vaccinations-${fiscalYear}.pdf"`,
			'Cache-Control': 'no-store'
		}
	});
}
