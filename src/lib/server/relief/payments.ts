// The export for the city's finance system: scheduled relief payments due in a period, one row
// each, with the bank account to pay into. It never carries a 個人番号 (none is read here).
import type { Executor } from '../db';
import { toCsv } from '../csv';

export async function paymentsCsv(
	db: Executor,
	input: { municipalityCode: string; from: string; until: string }
): Promise<{ csv: string; rows: number }> {
	const rows = await db
		.selectFrom('relief_payment as p')
		.innerJoin('relief_case as c', 'c.id', 'p.case_id')
		.innerJoin('relief_benefit as b', 'b.code', 'p.benefit_code')
		.select([
			'p.id',
			'p.case_id',
			'p.due_on',
			'p.amount_yen',
			'p.period_from',
			'p.period_until',
			'b.name_ja',
			'c.bank_code',
			'c.branch_code',
			'c.account_type',
			'c.account_number',
			'c.account_holder_kana'
		])
		.where('c.municipality_code', '=', input.municipalityCode)
		.where('p.status', '=', 'scheduled')
		.where('p.due_on', '>=', input.from)
		.where('p.due_on', '<=', input.until)
		.orderBy('p.due_on')
		.orderBy('p.id')
		.execute();
	const header = [
		'支払番号',
		'案件ID',
		'支払予定日',
		'給付',
		'対象期間開始',
		'対象期間終了',
		'金額',
		'金融機関コード',
		'支店コード',
		'預金種目',
		'口座番号',
		'口座名義'
	];
	const csv = toCsv(
		header,
		rows.map((row) => [
			String(row.id),
			row.case_id,
			row.due_on,
			row.name_ja,
			row.period_from,
			row.period_until,
			row.amount_yen,
			row.bank_code,
			row.branch_code,
			// 全銀 預金種目: 1 普通, 2 当座
			row.account_type === 'current' ? '2' : '1',
			row.account_number,
			row.account_holder_kana
		])
	);
	return { csv, rows: rows.length };
}
