// The yearly report as files for the prefecture: CSV (Excel-ready, with BOM) and a PDF table.
// Suppressed cells are "*" in both, with the rule stated under the title.
import type { Municipality } from '../municipality';
import { renderTableReport } from '../documents/table-report';
import { toCsv } from '../csv';
import { ageGroups, suppressBelow, type Cell, type YearlyRow } from './report';

const shown = (cell: Cell) => (cell === null ? '*' : String(cell));

export function yearlyReportCsv(rows: YearlyRow[], locale: 'ja' | 'en'): string {
	const header = [
		locale === 'en' ? 'Vaccine' : 'ワクチン',
		locale === 'en' ? 'Dose' : '接種回',
		...ageGroups.map((group) => (locale === 'en' ? group.en : group.ja)),
		locale === 'en' ? 'Total' : '計'
	];
	return toCsv(
		header,
		rows.map((row) => [row.vaccine, row.dose, ...row.cells.map(shown), shown(row.total)])
	);
}

export function renderYearlyReport(input: {
	municipality: Municipality;
	fiscalYear: number;
	rows: YearlyRow[];
	issuedOn: string;
}): Promise<Uint8Array> {
	const city = input.municipality;
	return renderTableReport({
		title: `${city.name_ja} 定期の予防接種 実施者数（${input.fiscalYear}年度） / ${city.name_en}: routine vaccinations given, FY ${input.fiscalYear}`,
		author: `${city.name_ja} ${city.division_ja}`,
		documentNumber: `STAT-${input.fiscalYear}`,
		lines: [
			`対象: ${input.fiscalYear}年4月1日〜${input.fiscalYear + 1}年3月31日に接種し、台帳で確認済みの接種（年齢は接種日時点） / Checked doses given 1 April ${input.fiscalYear} – 31 March ${input.fiscalYear + 1}; age on the day`,
			`${suppressBelow}未満の数は「*」で秘匿し、行の合計から逆算できないよう別の欄も秘匿しています。 / Counts below ${suppressBelow} are shown as "*", and so is any cell a row total would give away.`,
			`作成日 / Issued: ${input.issuedOn}`
		],
		columns: [
			{ header: 'ワクチン / Vaccine', width: 16 },
			{ header: '回 / Dose', width: 10 },
			...ageGroups.map((group) => ({ header: `${group.ja} / ${group.en}`, width: 8 })),
			{ header: '計 / Total', width: 10 }
		],
		rows: input.rows.map((row) => [
			row.vaccine,
			row.dose,
			...row.cells.map(shown),
			shown(row.total)
		])
	});
}
