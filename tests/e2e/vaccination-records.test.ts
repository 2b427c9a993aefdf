// P7 in the browser: a data-entry contractor keys a returned 予診票 (a bad lot number is a field
// error and nothing typed is lost); the dose awaits a check; a caseworker checks it; the
// contractor can neither see the check list nor check anything. A caseworker asks for a
// correction from the resident's record; nothing changes until an approver applies it, and the
// dose page keeps both versions.
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { sql } from 'kysely';
import { createStaffByCli, hydrated, lane, registerStaff, serverDatabase } from './support';

const run = Date.now().toString(36);

test('a contractor enters a dose, a caseworker checks it', async ({ browser }) => {
	// Two staff enrolments and two people's screens, each checked with axe.
	test.slow();
	const { rows } = await sql<{ atena_number: string; birth_date: string }>`
		SELECT r.atena_number, r.birth_date FROM resident r
		WHERE r.status = 'resident' AND r.birth_date > current_date - interval '5 years'
			AND r.atena_number::bigint % ${lane().count} = ${lane().index}
			AND NOT EXISTS (SELECT 1 FROM vaccination_dose d WHERE d.atena_number = r.atena_number
				AND d.vaccine_code = 'bcg')
		ORDER BY random() LIMIT 1`.execute(serverDatabase());
	const child = rows[0]!;
	const contractor = await registerStaff(
		browser,
		createStaffByCli({ role: 'contractor', login: `entry-${run}`, name: '入力 委託' })
	);
	await contractor.goto('/staff/vaccinations');
	await hydrated(contractor);
	await expect(contractor.getByTestId('pending-doses')).toHaveCount(0);
	await contractor.getByLabel('宛名番号').fill(child.atena_number);
	await contractor.getByLabel('ワクチン・回').selectOption({ label: 'BCG 1回' });
	// Some day after birth and not in the future.
	const on = new Date(Math.max(Date.parse(child.birth_date), Date.now() - 20 * 86_400_000))
		.toISOString()
		.slice(0, 10);
	await contractor.getByLabel('接種日').fill(on);
	await contractor.getByLabel('ロット番号').fill('?');
	await contractor.getByRole('button', { name: '登録する' }).click();
	await expect(contractor.getByRole('alert')).toContainText('ロット番号は英数字とハイフン');
	await expect(contractor.getByLabel('宛名番号')).toHaveValue(child.atena_number);
	expect(await new AxeBuilder({ page: contractor }).analyze().then((r) => r.violations)).toEqual(
		[]
	);
	await contractor.getByLabel('ロット番号').fill('ｂｃｇ−２０２６Ａ'.replace('−', '-'));
	await contractor.getByRole('button', { name: '登録する' }).click();
	await expect(contractor.getByRole('status')).toContainText('確認待ち');
	const dose = await serverDatabase()
		.selectFrom('vaccination_dose')
		.select(['id', 'checked_by', 'lot_number'])
		.where('atena_number', '=', child.atena_number)
		.where('vaccine_code', '=', 'bcg')
		.executeTakeFirstOrThrow();
	expect(dose).toMatchObject({ checked_by: null, lot_number: 'BCG-2026A' });
	// A contractor has no right to check, even by posting the form.
	const forced = await contractor.request.post('/staff/vaccinations?/check', {
		form: { id: String(dose.id) },
		headers: { origin: 'http://localhost:4173', accept: 'text/html' },
		maxRedirects: 0
	});
	expect(forced.status()).toBe(403);

	const checker = await registerStaff(
		browser,
		createStaffByCli({ role: 'caseworker', login: `check-${run}`, name: '確認 職員' })
	);
	await checker.goto('/staff/vaccinations');
	const row = checker
		.getByTestId('pending-doses')
		.getByRole('row', { name: new RegExp(child.atena_number) });
	await row.getByRole('button', { name: /確認する/ }).click();
	await expect(checker.getByRole('status')).toContainText('確認しました');
	expect(await new AxeBuilder({ page: checker }).analyze().then((r) => r.violations)).toEqual([]);
	const checked = await serverDatabase()
		.selectFrom('vaccination_dose')
		.select('checked_by')
		.where('id', '=', dose.id)
		.executeTakeFirstOrThrow();
	expect(checked.checked_by).not.toBeNull();
});

test('a correction asked for by one person is applied only by another, keeping both versions', async ({
	browser
}) => {
	const since = new Date();
	const { rows } = await sql<{ id: string; atena_number: string; lot_number: string }>`
		SELECT d.id::text AS id, d.atena_number, d.lot_number FROM vaccination_dose d
		JOIN resident r USING (municipality_code, atena_number)
		WHERE r.status = 'resident' AND d.status = 'administered' AND d.voided_at IS NULL
			AND d.checked_by IS NOT NULL AND d.institution_code IS NOT NULL AND d.lot_number IS NOT NULL
			AND d.atena_number::bigint % ${lane().count} = ${lane().index}
			AND NOT EXISTS (SELECT 1 FROM vaccination_dose_change c WHERE c.dose_id = d.id)
		ORDER BY random() LIMIT 1`.execute(serverDatabase());
	const dose = rows[0]!;
	const newLot = `FIX-${run.slice(-6).toUpperCase()}`;
	const worker = await registerStaff(
		browser,
		createStaffByCli({ role: 'caseworker', login: `fix-${run}`, name: '訂正 依頼' })
	);
	await worker.goto(`/staff/residents/${dose.atena_number}`);
	await worker.getByLabel('処理事由').fill('予診票の再確認');
	await worker.getByRole('button', { name: '記録を開く' }).click();
	await worker.locator(`a[href$="/staff/vaccinations/doses/${dose.id}"]`).click();
	await expect(worker.getByTestId('dose-current')).toContainText(dose.lot_number);
	await worker.getByLabel('ロット番号').fill(newLot);
	await worker.getByRole('button', { name: '訂正を依頼する' }).click();
	// No reason: a field error, and the corrected lot typed is still there.
	await expect(worker.getByRole('alert')).toContainText('理由を入力してください');
	await expect(worker.getByLabel('ロット番号')).toHaveValue(newLot);
	expect(await new AxeBuilder({ page: worker }).analyze().then((r) => r.violations)).toEqual([]);
	await worker.getByLabel('理由', { exact: true }).first().fill('ラベルの読み違い');
	await worker.getByRole('button', { name: '訂正を依頼する' }).click();
	await expect(worker.getByRole('status')).toContainText('依頼しました');
	await expect(worker.getByTestId('open-change')).toContainText('あなたが依頼した変更です');
	await expect(worker.getByTestId('open-change')).toContainText(newLot);
	await expect(worker.getByTestId('dose-current')).toContainText(dose.lot_number);
	await expect(worker.getByRole('button', { name: '確認して反映する' })).toHaveCount(0);
	const lotNow = async () =>
		(
			await serverDatabase()
				.selectFrom('vaccination_dose')
				.select('lot_number')
				.where('id', '=', dose.id)
				.executeTakeFirstOrThrow()
		).lot_number;
	expect(await lotNow()).toBe(dose.lot_number);
	// Nor can the requester apply it by posting the form.
	const change = await serverDatabase()
		.selectFrom('vaccination_dose_change')
		.select('id')
		.where('dose_id', '=', dose.id)
		.executeTakeFirstOrThrow();
	const forced = await worker.request.post(`/staff/vaccinations/doses/${dose.id}?/decide`, {
		form: { change: String(change.id), decision: 'apply' },
		headers: { origin: 'http://localhost:4173', accept: 'text/html' },
		maxRedirects: 0
	});
	expect(forced.status()).toBe(409);
	expect(await lotNow()).toBe(dose.lot_number);

	const approver = await registerStaff(
		browser,
		createStaffByCli({ role: 'approver', login: `fixok-${run}`, name: '訂正 確認' })
	);
	await approver.goto('/staff/vaccinations');
	await approver
		.getByTestId('pending-changes')
		.getByRole('row', { name: new RegExp(dose.atena_number) })
		.getByRole('link')
		.click();
	await expect(approver.getByTestId('open-change')).toContainText('ラベルの読み違い');
	expect(await new AxeBuilder({ page: approver }).analyze().then((r) => r.violations)).toEqual([]);
	await approver.getByRole('button', { name: '確認して反映する' }).click();
	await expect(approver.getByRole('status')).toContainText('反映しました');
	await expect(approver.getByTestId('dose-current')).toContainText(newLot);
	const versions = approver.getByTestId('dose-versions').locator('tbody tr');
	await expect(versions).toHaveCount(2);
	await expect(versions.nth(0)).toContainText(newLot);
	await expect(versions.nth(0)).toContainText('訂正 確認');
	await expect(versions.nth(1)).toContainText(dose.lot_number);
	expect(await lotNow()).toBe(newLot);

	const { rows: entries } = await sql<{ action: string; result: string; reason: string | null }>`
		SELECT action, result, reason FROM audit.entry
		WHERE occurred_at >= ${since} AND object_id = ${dose.id} AND action LIKE 'vaccination.%'
		ORDER BY seq`.execute(serverDatabase());
	expect(entries.filter((entry) => entry.action !== 'vaccination.view')).toEqual([
		{ action: 'vaccination.correct', result: 'ok', reason: 'ラベルの読み違い' },
		{ action: 'vaccination.check', result: 'denied', reason: null },
		{ action: 'vaccination.check', result: 'ok', reason: null }
	]);
	expect(entries.filter((entry) => entry.action === 'vaccination.view').length).toBeGreaterThan(0);
	// A made-up id: 404, and the attempt is on record.
	expect((await approver.goto('/staff/vaccinations/doses/999999999999'))?.status()).toBe(404);
	const { rows: guessed } = await sql<{ result: string }>`
		SELECT result FROM audit.entry WHERE occurred_at >= ${since}
			AND object_id = '999999999999' AND action = 'vaccination.view'`.execute(serverDatabase());
	expect(guessed.map((entry) => entry.result)).toContain('denied');
});
