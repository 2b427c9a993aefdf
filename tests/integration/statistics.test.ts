// The yearly report against a real database: counts that match the ledger, no published cell
// under the threshold, no suppressed cell recoverable from its row's total, and the files the
// prefecture gets (CSV, and a PDF that qpdf and pdftotext read).
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoCity } from '../../src/lib/server/demo/load';
import { findServedMunicipality } from '../../src/lib/server/municipality';
import { renderYearlyReport, yearlyReportCsv } from '../../src/lib/server/statistics/export';
import {
	operationalFigures,
	suppressBelow,
	yearlyReport
} from '../../src/lib/server/statistics/report';
import { freshDatabase, type TestDatabase } from '../support/database';

const city = '139998';
let database: TestDatabase;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'statistics-'));

beforeAll(async () => {
	database = await freshDatabase();
	await loadDemoCity(database.owner, {
		seed: '5',
		residents: 1500,
		asOf: '2026-11-01',
		myNumberKey: { id: 't', key: randomBytes(32) }
	});
});
afterAll(async () => {
	await database?.close();
	rmSync(scratch, { recursive: true, force: true });
});

describe('the yearly report', () => {
	it('counts the ledger and publishes no small cell', async () => {
		const rows = await yearlyReport(database.backoffice, {
			municipalityCode: city,
			fiscalYear: 2025,
			locale: 'ja'
		});
		expect(rows.length).toBeGreaterThan(5);
		const { rows: raw } = await sql<{ vaccine_code: string; dose_code: string; n: number }>`
			SELECT vaccine_code, dose_code, count(*)::int AS n FROM vaccination_dose
			WHERE administered_on BETWEEN '2025-04-01' AND '2026-03-31' AND voided_at IS NULL
				AND status = 'administered' AND checked_at IS NOT NULL
			GROUP BY vaccine_code, dose_code`.execute(database.owner);
		expect(rows.length).toBe(raw.length);
		let suppressed = 0;
		for (const row of rows) {
			const truth = raw.find(
				(entry) => entry.vaccine_code === row.vaccineCode && entry.dose_code === row.doseCode
			)!;
			if (row.total !== null) expect(row.total).toBe(truth.n);
			for (const cell of row.cells)
				if (cell !== null) expect(cell === 0 || cell >= suppressBelow).toBe(true);
			const hidden = row.cells.filter((cell) => cell === null).length;
			suppressed += hidden;
			if (row.total !== null) expect(hidden).not.toBe(1);
			// The visible cells never add up to the total when something is hidden.
			const visible = row.cells.reduce<number>((sum, cell) => sum + (cell ?? 0), 0);
			if (hidden === 0) expect(visible).toBe(row.total);
		}
		expect(suppressed).toBeGreaterThan(0);

		const csv = yearlyReportCsv(rows, 'ja');
		expect(csv.split('\r\n')[0]).toContain('ワクチン,接種回,0歳');
		expect(csv).toContain('*');
		const names = await database.owner
			.selectFrom('resident')
			.select('name_kanji')
			.limit(200)
			.execute();
		for (const { name_kanji } of names) expect(csv).not.toContain(name_kanji);

		const municipality = (await findServedMunicipality(database.backoffice, city))!;
		const pdf = await renderYearlyReport({
			municipality,
			fiscalYear: 2025,
			rows,
			issuedOn: '2026-11-30'
		});
		const file = path.join(scratch, 'report.pdf');
		writeFileSync(file, pdf);
		execFileSync('qpdf', ['--check', file], { stdio: 'pipe' });
		const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
		expect(text).toContain('定期の予防接種 実施者数（2025年度）');
		expect(text).toContain(rows[0]!.vaccine.slice(0, 4)); // long names wrap in the narrow column
	});

	it('gives the operational figures as counts only', async () => {
		const figures = await operationalFigures(database.backoffice, {
			municipalityCode: city,
			fiscalYear: 2026,
			today: '2026-11-30'
		});
		expect(figures.disclosure).toEqual({ decided: 0, onTime: 0, late: 0, open: 0, overdue: 0 });
		expect(JSON.stringify(figures)).not.toMatch(/[0-9]{9,}/); // no 宛名番号 or other identifiers
	});
});
