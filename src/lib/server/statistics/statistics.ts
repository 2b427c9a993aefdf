// The statistics door: the yearly 接種者数 report (also as CSV and PDF for the prefecture) and
// the 事務's operational figures, for a chosen 年度. Views and downloads are audited.
import { m } from '$lib/paraglide/messages';
import { auditAs, requirePermission, type Caller } from '../audit/caller';
import type { Executor } from '../db';
import { DomainError } from '../errors';
import { findServedMunicipality } from '../municipality';
import { tokyoDate } from '../time';
import { renderYearlyReport, yearlyReportCsv } from './export';
import { ageGroups, operationalFigures, suppressBelow, yearlyReport } from './report';

const permission = 'export.records';

export class StatisticsError extends DomainError<'year_invalid'> {
	protected readonly messages = { year_invalid: m.statistics_year_invalid };
}

/** The 年度 that contains the day (April to March). */
const fiscalYearOn = (today: string) =>
	Number(today.slice(0, 4)) - (today.slice(5) < '04-01' ? 1 : 0);

/** The 年度 asked for, or the one that has just ended (the report the prefecture wants). */
function fiscalYearOf(asked: string | null, today: string): number {
	const current = fiscalYearOn(today);
	const year = Number(asked ?? current - 1);
	if (!Number.isInteger(year) || year < 2000 || year > current) {
		throw new StatisticsError('year_invalid');
	}
	return year;
}

export async function statistics(
	db: Executor,
	caller: Caller,
	input: { year: string | null; locale: 'ja' | 'en' },
	now = new Date()
) {
	requirePermission(caller, permission);
	const today = tokyoDate(now);
	const fiscalYear = fiscalYearOf(input.year, today);
	const [rows, figures] = await Promise.all([
		yearlyReport(db, {
			municipalityCode: caller.municipalityCode,
			fiscalYear,
			locale: input.locale
		}),
		operationalFigures(db, { municipalityCode: caller.municipalityCode, fiscalYear, today })
	]);
	await auditAs(db, caller, {
		action: 'statistics.view',
		result: 'ok',
		payload: { fiscal_year: fiscalYear }
	});
	const current = fiscalYearOn(today);
	return {
		fiscalYear,
		years: Array.from({ length: 6 }, (_, index) => current - index),
		groups: ageGroups.map((group) => (input.locale === 'en' ? group.en : group.ja)),
		rows,
		figures,
		suppressBelow
	};
}

/** The yearly report as a file for the prefecture: CSV (in the reader's language) or PDF. */
export async function yearlyReportFile(
	db: Executor,
	caller: Caller,
	input: { year: string; format: 'csv' | 'pdf'; locale: 'ja' | 'en' },
	now = new Date()
): Promise<{ fileName: string; contentType: string; content: Uint8Array | string }> {
	requirePermission(caller, permission);
	const fiscalYear = fiscalYearOf(input.year, tokyoDate(now));
	const locale = input.format === 'pdf' ? 'ja' : input.locale;
	const rows = await yearlyReport(db, {
		municipalityCode: caller.municipalityCode,
		fiscalYear,
		locale
	});
	let content: Uint8Array | string;
	if (input.format === 'csv') {
		content = yearlyReportCsv(rows, locale);
	} else {
		const municipality = await findServedMunicipality(db, caller.municipalityCode);
		if (!municipality) throw new Error(`municipality ${caller.municipalityCode} is not loaded`);
		content = await renderYearlyReport({
			municipality,
			fiscalYear,
			rows,
			issuedOn: tokyoDate(now)
		});
	}
	await auditAs(db, caller, {
		action: 'statistics.export',
		result: 'ok',
		payload: { fiscal_year: fiscalYear, format: input.format }
	});
	return {
		fileName: `vaccinations-${fiscalYear}.${input.format}`,
		contentType: input.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/pdf',
		content
	};
}
