// Issue 9 in the browser: an approver previews a newborn mailing, creates it, follows it to the
// print file (rendered by the app's own job worker), downloads it and marks it sent; an
// administrator dry-runs a 住基 異動 file with a bad line, applies it, and a 転出 takes the person
// off the register. Screens checked with axe; the steps audited.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { sql } from 'kysely';
import { feedColumns } from '../../src/lib/server/residents/registry-feed';
import { doseCsvColumns } from '../../src/lib/server/vaccinations/exchange';
import { fhirSchemaErrors } from '../../src/lib/server/vaccinations/fhir';
import {
	auditEntries,
	createStaffByCli,
	freshResident,
	registerStaff,
	serverDatabase
} from './support';

const run = Date.now().toString(36);
const axe = async (page: import('@playwright/test').Page) =>
	(await new AxeBuilder({ page }).analyze()).violations;

test('an approver makes a newborn mailing and downloads its print file', async ({ browser }) => {
	test.slow();
	const since = new Date();
	const approver = await registerStaff(
		browser,
		createStaffByCli({ role: 'approver', login: `mail-${run}`, name: '勧奨 担当' })
	);
	await approver.getByRole('link', { name: '接種勧奨・一斉送付' }).click();
	await expect(approver.getByRole('heading', { level: 1 })).toHaveText('接種勧奨・一斉送付');
	expect(await axe(approver)).toEqual([]);

	// A newborn mailing needs a birth period: refused, the choice kept.
	const newborn = approver.getByLabel(/新生児への予診票の送付/);
	// A radio sits right beside its words, not stretched across the form (issue 25).
	const [radio, label] = await Promise.all([
		newborn.boundingBox(),
		approver.locator('label', { has: newborn }).boundingBox()
	]);
	expect(radio!.width).toBeLessThan(40);
	expect(label!.width).toBeLessThan(radio!.width + 400);
	await newborn.check();
	await approver.getByRole('button', { name: '対象者数を確認' }).click();
	await expect(approver.getByRole('alert')).toContainText('生年月日の期間を指定してください');
	await expect(approver.getByLabel(/新生児への予診票の送付/)).toBeChecked();

	const today = new Date();
	const yearAgo = new Date(today.getTime() - 365 * 86_400_000).toISOString().slice(0, 10);
	await approver.getByLabel('生年月日（から）').fill(yearAgo);
	await approver.getByLabel('生年月日（まで）').fill(today.toISOString().slice(0, 10));
	await approver.getByRole('checkbox', { name: 'BCG' }).check();
	await approver.getByLabel(/予診票を同封する/).check();
	await approver.getByRole('button', { name: '対象者数を確認' }).click();
	const preview = approver.getByTestId('mailing-preview');
	await expect(preview).toContainText('BCG');
	const count = Number((await preview.getByRole('heading').textContent())!.match(/(\d+)/)![1]);
	expect(count).toBeGreaterThan(0);
	expect(await axe(approver)).toEqual([]);

	await approver.getByRole('button', { name: 'この条件で作成' }).click();
	await expect(approver.getByRole('status')).toContainText('一斉送付を作成しました');
	const batch = approver.getByTestId('mailing-batches').getByRole('listitem').first();
	await expect(batch).toContainText(`${count} 人`);
	// The page follows the worker until the print file is there.
	await expect(batch).toContainText('印刷待ち', { timeout: 120_000 });
	const download = approver.waitForEvent('download');
	await batch.getByRole('link', { name: /印刷用ファイル/ }).click();
	const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'mailing-')), 'print.pdf');
	await (await download).saveAs(file);
	execFileSync('qpdf', ['--check', file]);
	const text = execFileSync('pdftotext', ['-layout', file, '-'], {
		encoding: 'utf8',
		maxBuffer: 1 << 28
	});
	expect(text).toContain('予防接種のご案内');
	expect(text).toContain('予防接種予診票（BCG');
	const letters = new Set(text.match(/M[0-9A-F]{8}-\d{6}(?!-)/g));
	expect(letters.size).toBe(count);

	await batch.getByRole('button', { name: '発送済みにする' }).click();
	await expect(approver.getByRole('status')).toContainText('発送済みにしました');
	await expect(batch).toContainText('発送済み');
	expect(await axe(approver)).toEqual([]);
	for (const action of [
		'mailing.preview',
		'mailing.create',
		'mailing.render',
		'mailing.download',
		'mailing.mark_sent'
	]) {
		expect((await auditEntries(action, since)).length, action).toBeGreaterThan(0);
	}
});

test('an administrator dry-runs and applies a registry change file', async ({ browser }) => {
	const since = new Date();
	const leaving = await freshResident();
	const person = await serverDatabase()
		.selectFrom('resident')
		.selectAll()
		.where('atena_number', '=', leaving.atena)
		.executeTakeFirstOrThrow();
	const newcomer = `9${Date.now().toString().slice(-9)}`;
	const cells = (values: Record<string, string>) =>
		feedColumns.map((column) => values[column] ?? '').join(',');
	const today = new Date(Date.now() + 9 * 3_600_000).toISOString().slice(0, 10);
	const csv = [
		feedColumns.join(','),
		cells({
			change: 'move_in',
			effective_on: today,
			atena_number: newcomer,
			household_number: `H${newcomer}`,
			is_household_head: '1',
			relationship: '世帯主',
			name_kanji: `転入　${run}`,
			name_kana: 'テンニュウ　タロウ',
			birth_date: '1985-03-03',
			sex: '1',
			postal_code: '100-0001',
			address: 'さくら台市中央9-9-9',
			resident_type: '1'
		}),
		cells({
			change: 'move_out',
			effective_on: today,
			atena_number: person.atena_number,
			household_number: person.household_number,
			is_household_head: person.is_household_head ? '1' : '0',
			relationship: person.relationship,
			name_kanji: person.name_kanji,
			name_kana: person.name_kana,
			name_romaji: person.name_romaji ?? '',
			birth_date: person.birth_date,
			sex: person.sex === 'male' ? '1' : '2',
			postal_code: person.postal_code,
			address: person.address,
			resident_type: person.resident_type === 'japanese' ? '1' : '2',
			foreign_resident_on: person.foreign_resident_on ?? '',
			phone: person.phone ?? ''
		}),
		cells({ change: 'birth', effective_on: '2026-01-01', atena_number: '1' })
	].join('\r\n');

	const admin = await registerStaff(
		browser,
		createStaffByCli({ role: 'admin', login: `reg-${run}`, name: '情報 管理' })
	);
	await admin.getByRole('link', { name: '住民基本台帳の異動データ取込み' }).click();
	expect(await axe(admin)).toEqual([]);
	await admin.getByLabel('異動データファイル').setInputFiles({
		name: `ido-${run}.csv`,
		mimeType: 'text/csv',
		buffer: Buffer.from(`\ufeff${csv}\r\n`)
	});
	await admin.getByRole('button', { name: '試行する（変更しません）' }).click();
	const dryRun = admin.getByTestId('registry-dry-run');
	await expect(dryRun).toContainText(`ido-${run}.csv`);
	await expect(
		admin.getByTestId('registry-errors').getByRole('row', { name: /^4 / })
	).toContainText('必須の項目が空です');
	await expect(dryRun.getByRole('row', { name: /^新規/ })).toContainText('1');
	await expect(dryRun.getByRole('row', { name: /^転出/ })).toContainText('1');
	expect(await axe(admin)).toEqual([]);
	// Nothing changed yet.
	const before = await serverDatabase()
		.selectFrom('resident')
		.select('status')
		.where('atena_number', '=', person.atena_number)
		.executeTakeFirstOrThrow();
	expect(before.status).toBe('resident');

	await admin.getByRole('button', { name: 'このファイルを取り込む' }).click();
	// The app's job worker applies it; the page follows the job until it is done.
	await expect(admin.getByTestId('registry-applying').getByRole('status')).toContainText(
		'取込みが完了しました',
		{ timeout: 30_000 }
	);
	const after = await serverDatabase()
		.selectFrom('resident')
		.select(['atena_number', 'status'])
		.where('atena_number', 'in', [person.atena_number, newcomer])
		.orderBy('atena_number')
		.execute();
	expect(Object.fromEntries(after.map((row) => [row.atena_number, row.status]))).toEqual({
		[person.atena_number]: 'moved_out',
		[newcomer]: 'resident'
	});
	await expect(
		admin
			.getByTestId('registry-runs')
			.getByRole('row', { name: /取込み/ })
			.first()
	).toContainText(`ido-${run}.csv`);
	const imports = await auditEntries('system.registry_import', since);
	expect(imports.length).toBe(2);
});

test('records come in from a file, go out as FHIR, and the yearly statistics download', async ({
	browser
}) => {
	// Two staff enrolments, an import, two exports and the statistics: a long journey.
	test.slow();
	const since = new Date();
	const { rows } = await sql<{ atena_number: string }>`
		SELECT r.atena_number FROM resident r
		WHERE r.status = 'resident' AND r.birth_date > current_date - 300
			AND NOT EXISTS (SELECT FROM vaccination_dose d WHERE d.atena_number = r.atena_number AND d.vaccine_code = 'bcg')
		ORDER BY r.atena_number DESC LIMIT 1`.execute(serverDatabase());
	const child = rows[0]!.atena_number;
	const clinic = (
		await serverDatabase()
			.selectFrom('medical_institution')
			.select('institution_code')
			.executeTakeFirstOrThrow()
	).institution_code;
	const yesterday = new Date(Date.now() + 9 * 3_600_000 - 86_400_000).toISOString().slice(0, 10);
	const csv = [
		doseCsvColumns.join(','),
		`${child},bcg,single,${yesterday},${clinic},,,,KH${run.slice(-4).toUpperCase()},,statutory,`,
		`${child},unknown,dose_1,${yesterday},${clinic},,,,,,statutory,`
	].join('\r\n');

	const caseworker = await registerStaff(
		browser,
		createStaffByCli({ role: 'caseworker', login: `xchg-${run}`, name: '記録 担当' })
	);
	await caseworker.getByRole('link', { name: '接種記録の取込み・出力' }).click();
	expect(await axe(caseworker)).toEqual([]);
	const upload = { name: 'vendor.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) };
	// One person's earlier records from another city need their consent: refused, values kept.
	await caseworker.getByLabel('ファイル', { exact: true }).setInputFiles(upload);
	await caseworker.getByLabel(/^送信元/).fill('他市');
	await caseworker.getByLabel(/転入者の宛名番号/).fill(child);
	await caseworker.getByRole('button', { name: '取り込む' }).click();
	await expect(caseworker.getByRole('alert')).toContainText('同意を得てから');
	await expect(caseworker.getByLabel(/^送信元/)).toHaveValue('他市');
	await caseworker.getByLabel(/転入者の宛名番号/).fill('');
	await caseworker.getByLabel(/^送信元/).fill('vendor-kenko');
	await caseworker.getByLabel('ファイル', { exact: true }).setInputFiles(upload);
	await caseworker.getByRole('button', { name: '取り込む' }).click();
	await expect(caseworker.getByTestId('exchange-report')).toContainText('1 件を取り込みました');
	await expect(caseworker.getByTestId('exchange-report')).toContainText('確認待ち');
	await expect(caseworker.getByTestId('exchange-errors')).toContainText(
		'ワクチンまたは接種回が台帳マスタにありません'
	);
	expect(await axe(caseworker)).toEqual([]);
	const imported = await serverDatabase()
		.selectFrom('vaccination_dose')
		.select(['checked_by', 'source'])
		.where('atena_number', '=', child)
		.where('vaccine_code', '=', 'bcg')
		.executeTakeFirstOrThrow();
	expect(imported).toEqual({ checked_by: null, source: 'import' });

	const approver = await registerStaff(
		browser,
		createStaffByCli({ role: 'approver', login: `stat-${run}`, name: '統計 担当' })
	);
	await approver.goto('/staff/vaccinations/exchange');
	const fhirDownload = approver.waitForEvent('download');
	await approver.getByRole('link', { name: 'FHIRで出力' }).click();
	const fhirFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'fhir-')), 'export.json');
	await (await fhirDownload).saveAs(fhirFile);
	const bundle = JSON.parse(readFileSync(fhirFile, 'utf8'));
	expect(bundle.resourceType).toBe('Bundle');
	expect(fhirSchemaErrors(bundle)).toEqual([]);

	await approver.goto('/staff');
	await approver.getByRole('link', { name: '統計' }).click();
	await expect(approver.getByRole('heading', { level: 1 })).toHaveText('統計');
	expect(await axe(approver)).toEqual([]);
	const csvDownload = approver.waitForEvent('download');
	await approver.getByRole('link', { name: /CSVでダウンロード/ }).click();
	const statsFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'stats-')), 'stats.csv');
	await (await csvDownload).saveAs(statsFile);
	expect(readFileSync(statsFile, 'utf8')).toContain('ワクチン,接種回,0歳');
	for (const action of [
		'vaccination.import',
		'vaccination.export',
		'statistics.view',
		'statistics.export'
	]) {
		expect((await auditEntries(action, since)).length, action).toBeGreaterThan(0);
	}
});
