// The yearly report as files for the prefecture: CSV (Excel-ready, with BOM) and a PDF table.
// Suppressed cells are "*" in both, with the rule stated under the title.
import type { Municipality } from '../municipality';
import { renderTableReport } from '../documents/table-report';
import { toCsv } from '../staff/accounts';
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
		title: `${city.name_ja} 定期の予防接種 実施者数（${input.fiscalYear}年度）`,
		author: `${city.name_ja} ${city.division_ja}`,
		documentNumber: `STAT-${input.fiscalYear}`,
		lines: [
			`対象: ${input.fiscalYear}年4月1日〜${input.fiscalYear + 1}年3月31日に接種し、台帳で確認済みの接種（年齢は接種日時点）`,
			`${suppressBelow}未満の数は「*」で秘匿し、行の合計から逆算できないよう別の欄も秘匿しています。`,
			`作成日: ${input.issuedOn}`
		],
		columns: [
			{ header: 'ワクチン', width: 16 },
			{ header: '回', width: 10 },
			...ageGroups.map((group) => ({ header: group.ja, width: 8 })),
			{ header: '計', width: 10 }
		],
		rows: input.rows.map((row) => [
			row.vaccine,
			row.dose,
			...row.cells.map(shown),
			shown(row.total)
		])
	});
}
