// Statistics (DOMAIN.md P9, issue 9): the yearly count of people vaccinated (接種者数) by vaccine,
// dose and age group for the prefecture (施行令第7条), and the 事務's own operational figures —
// lead time per request type, 差し戻し by the step returned, documents issued, and whether
// 開示等請求 were decided within their statutory deadline. Nothing here identifies a person
// (000:L639): only counts leave, and a count below the threshold is suppressed, together with a
// second cell of its row when one suppressed cell could be worked out from the row's total.
import { sql } from 'kysely';
import type { Executor } from '../db';

/** Counts below this are printed as "*" (a publicly released table's usual floor). */
export const suppressBelow = 5;

export const ageGroups = [
	{ key: '0', from: 0, until: 1, ja: '0歳', en: 'Under 1' },
	{ key: '1', from: 1, until: 2, ja: '1歳', en: '1' },
	{ key: '2-4', from: 2, until: 5, ja: '2〜4歳', en: '2–4' },
	{ key: '5-6', from: 5, until: 7, ja: '5〜6歳', en: '5–6' },
	{ key: '7-12', from: 7, until: 13, ja: '7〜12歳', en: '7–12' },
	{ key: '13-17', from: 13, until: 18, ja: '13〜17歳', en: '13–17' },
	{ key: '18-64', from: 18, until: 65, ja: '18〜64歳', en: '18–64' },
	{ key: '65-', from: 65, until: 200, ja: '65歳以上', en: '65 and over' }
] as const;

export type Cell = number | null; // null: suppressed
export type SuppressedRow = { cells: Cell[]; total: Cell };

/**
 * Primary suppression of small non-zero counts, then complementary suppression: a row whose total
 * is published may not have exactly one suppressed cell (the total would give it away), so the
 * smallest other non-zero cell goes too; if no such cell exists, the total is suppressed.
 */
export function suppressRow(counts: number[], threshold = suppressBelow): SuppressedRow {
	const cells: Cell[] = counts.map((count) => (count > 0 && count < threshold ? null : count));
	const total = counts.reduce((sum, count) => sum + count, 0);
	const hidden = cells.filter((cell) => cell === null).length;
	if (hidden !== 1) return { cells, total: total > 0 && total < threshold ? null : total };
	let partner = -1;
	cells.forEach((cell, index) => {
		if (cell !== null && cell > 0 && (partner < 0 || cell < (cells[partner] as number)))
			partner = index;
	});
	if (partner >= 0) {
		cells[partner] = null;
		return { cells, total };
	}
	return { cells, total: null };
}

export type YearlyRow = {
	vaccineCode: string;
	doseCode: string;
	vaccine: string;
	dose: string;
} & SuppressedRow;

/** 年度 (April–March) of the fiscal year that starts in `fiscalYear`. */
export const fiscalYearRange = (fiscalYear: number) => ({
	from: `${fiscalYear}-04-01`,
	until: `${fiscalYear + 1}-03-31`
});

export async function yearlyReport(
	db: Executor,
	input: { municipalityCode: string; fiscalYear: number; locale: 'ja' | 'en' }
): Promise<YearlyRow[]> {
	const { from, until } = fiscalYearRange(input.fiscalYear);
	const bands = sql.join(
		ageGroups.map(
			(group) => sql`count(*) FILTER (WHERE age >= ${group.from} AND age < ${group.until})::int`
		)
	);
	const { rows } = await sql<{
		vaccine_code: string;
		dose_code: string;
		name_ja: string;
		name_en: string;
		label_ja: string;
		label_en: string;
		counts: number[];
	}>`
WITH given AS (
	SELECT d.vaccine_code, d.dose_code,
		extract(year FROM age(d.administered_on, r.birth_date))::int AS age
	FROM vaccination_dose d
	JOIN resident r ON r.municipality_code = d.municipality_code AND r.atena_number = d.atena_number
	WHERE d.municipality_code = ${input.municipalityCode}
		AND d.administered_on BETWEEN ${from}::date AND ${until}::date
		AND d.status = 'administered' AND d.voided_at IS NULL AND d.checked_at IS NOT NULL
)
SELECT vd.vaccine_code, vd.dose_code, v.name_ja, v.name_en, vd.label_ja, vd.label_en,
	ARRAY[${bands}] AS counts
FROM given
JOIN vaccine_dose vd ON vd.municipality_code = ${input.municipalityCode}
	AND vd.vaccine_code = given.vaccine_code AND vd.dose_code = given.dose_code
JOIN vaccine v ON v.municipality_code = vd.municipality_code AND v.vaccine_code = vd.vaccine_code
GROUP BY vd.vaccine_code, vd.dose_code, v.name_ja, v.name_en, vd.label_ja, vd.label_en, v.sort_order, vd.sequence
ORDER BY v.sort_order, vd.sequence`.execute(db);
	return rows.map((row) => ({
		vaccineCode: row.vaccine_code,
		doseCode: row.dose_code,
		vaccine: input.locale === 'en' ? row.name_en : row.name_ja,
		dose: input.locale === 'en' ? row.label_en : row.label_ja,
		...suppressRow(row.counts)
	}));
}

export type OperationalFigures = {
	leadTimes: {
		kind: string;
		completed: number;
		medianDays: number | null;
		p90Days: number | null;
	}[];
	returns: { kind: string; step: string; count: Cell }[];
	documents: { kind: string; count: Cell }[];
	disclosure: { decided: number; onTime: number; late: number; open: number; overdue: number };
};

export async function operationalFigures(
	db: Executor,
	input: { municipalityCode: string; fiscalYear: number; today: string }
): Promise<OperationalFigures> {
	const { from, until } = fiscalYearRange(input.fiscalYear);
	const start = `${from}T00:00:00+09:00`;
	const end = `${until}T23:59:59.999+09:00`;
	const leadTimes = await sql<{
		kind: string;
		completed: number;
		median: number | null;
		p90: number | null;
	}>`
WITH done AS (
	SELECT a.kind, extract(epoch FROM (t.at - a.submitted_at)) / 86400 AS days
	FROM application a
	JOIN LATERAL (SELECT max(at) AS at FROM application_transition
		WHERE application_id = a.id AND to_status = 'completed') t ON true
	WHERE a.municipality_code = ${input.municipalityCode} AND a.status = 'completed'
		AND a.submitted_at IS NOT NULL AND t.at BETWEEN ${start}::timestamptz AND ${end}::timestamptz
)
SELECT kind, count(*)::int AS completed,
	round(percentile_cont(0.5) WITHIN GROUP (ORDER BY days)::numeric, 1)::float AS median,
	round(percentile_cont(0.9) WITHIN GROUP (ORDER BY days)::numeric, 1)::float AS p90
FROM done GROUP BY kind ORDER BY kind`.execute(db);
	const returns = await sql<{ kind: string; step: string; count: number }>`
SELECT a.kind, item->>'step' AS step, count(*)::int AS count
FROM application_transition t
JOIN application a ON a.id = t.application_id
CROSS JOIN LATERAL jsonb_array_elements(t.items) AS item
WHERE a.municipality_code = ${input.municipalityCode} AND t.to_status = 'returned'
	AND t.items IS NOT NULL AND jsonb_typeof(t.items) = 'array'
	AND t.at BETWEEN ${start}::timestamptz AND ${end}::timestamptz
GROUP BY a.kind, item->>'step' ORDER BY a.kind, count DESC`.execute(db);
	const documents = await db
		.selectFrom('issued_document')
		.select(['kind', sql<number>`count(*)::int`.as('count')])
		.where('municipality_code', '=', input.municipalityCode)
		.where('issued_at', '>=', new Date(start))
		.where('issued_at', '<=', new Date(end))
		.groupBy('kind')
		.orderBy('kind')
		.execute();
	const disclosure = await sql<{ decided: number; on_time: number; open: number; overdue: number }>`
SELECT count(*) FILTER (WHERE decided_on IS NOT NULL)::int AS decided,
	count(*) FILTER (WHERE decided_on IS NOT NULL
		AND decided_on <= coalesce(extended_deadline, deadline))::int AS on_time,
	count(*) FILTER (WHERE decided_on IS NULL)::int AS open,
	count(*) FILTER (WHERE decided_on IS NULL
		AND coalesce(extended_deadline, deadline) < ${input.today}::date)::int AS overdue
FROM desk_request
WHERE municipality_code = ${input.municipalityCode}
	AND received_on BETWEEN ${from}::date AND ${until}::date`.execute(db);
	const counts = disclosure.rows[0]!;
	// Counts per step or per document kind are about the 事務, not people, but a cell of one or two
	// returns can still point at a family in a small town: the same floor applies.
	const floor = (count: number): Cell => (count > 0 && count < suppressBelow ? null : count);
	return {
		leadTimes: leadTimes.rows.map((row) => ({
			kind: row.kind,
			completed: row.completed,
			// A median of fewer than the floor would describe individual cases.
			medianDays: row.completed >= suppressBelow ? row.median : null,
			p90Days: row.completed >= suppressBelow ? row.p90 : null
		})),
		returns: returns.rows.map((row) => ({
			kind: row.kind,
			step: row.step,
			count: floor(row.count)
		})),
		documents: documents.map((row) => ({ kind: row.kind, count: floor(row.count) })),
		disclosure: {
			decided: counts.decided,
			onTime: counts.on_time,
			late: counts.decided - counts.on_time,
			open: counts.open,
			overdue: counts.overdue
		}
	};
}
