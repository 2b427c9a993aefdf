// P7 in the browser: a data-entry contractor keys a returned 予診票 (a bad lot number is a field
// error and nothing typed is lost); the dose awaits a check; a caseworker checks it; the
// contractor can neither see the check list nor check anything.
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { sql } from 'kysely';
import { createStaffByCli, lane, registerStaff, serverDatabase } from './support';

const run = Date.now().toString(36);

test('a contractor enters a dose, a caseworker checks it', async ({ browser }) => {
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
