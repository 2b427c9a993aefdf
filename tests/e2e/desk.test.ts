// Issue 8 (first part) in the browser: the desk registers a disclosure request — a missing
// identity check is refused with everything typed kept — sees it in the list with its deadline
// and days left, and extends it with a reason; the list and the extension are audited.
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import {
	auditEntries,
	createStaffByCli,
	freshResident,
	registerStaff,
	serverDatabase
} from './support';

const run = Date.now().toString(36);

test('the desk registers a disclosure request, sees its clock and extends it', async ({
	browser
}) => {
	const since = new Date();
	const person = await freshResident();
	const desk = await registerStaff(
		browser,
		createStaffByCli({ role: 'desk', login: `desk-${run}`, name: '窓口 担当' })
	);
	await desk.goto('/staff');
	await desk.getByRole('link', { name: /開示・訂正・利用停止請求/ }).click();
	expect(await new AxeBuilder({ page: desk }).analyze().then((r) => r.violations)).toEqual([]);
	// The city's deadline rule where the desk works (issue 25: only residents were told).
	await expect(desk.getByTestId('deadline-rule')).toContainText(
		'開示請求は受付日の翌日から数えて14日以内'
	);
	const requester = `請求 ${run}`;
	await desk.getByLabel('宛名番号').fill(person.atena);
	await desk.getByLabel('請求者の氏名').fill(requester);
	await desk.getByLabel('請求の内容（開示を求める保有個人情報など）').fill('予防接種台帳の記録');
	await desk.getByRole('button', { name: '登録する' }).click();
	await expect(desk.getByRole('alert')).toContainText('本人確認書類を選んでください');
	await expect(desk.getByLabel('請求者の氏名')).toHaveValue(requester);
	await desk.getByRole('checkbox', { name: 'マイナンバーカード' }).check();
	await desk.getByRole('button', { name: '登録する' }).click();
	await expect(desk.getByRole('status')).toContainText('請求を登録しました');
	const stored = await serverDatabase()
		.selectFrom('desk_request')
		.select(['id', 'reference', 'deadline'])
		.where('requester_name', '=', requester)
		.executeTakeFirstOrThrow();
	const row = desk
		.getByTestId('desk-requests')
		.getByRole('row', { name: new RegExp(stored.reference) });
	await expect(row).toContainText('日');
	expect(await new AxeBuilder({ page: desk }).analyze().then((r) => r.violations)).toEqual([]);
	await row.getByLabel('延長の理由').fill('対象となる記録が多いため');
	await row.getByRole('button', { name: /期限を延長する/ }).click();
	await expect(desk.getByRole('status')).toContainText('延長通知書を作成しました');
	await expect(
		desk.getByTestId('desk-requests').getByRole('row', { name: new RegExp(stored.reference) })
	).toContainText('延長済み');
	const extended = await serverDatabase()
		.selectFrom('desk_request')
		.select(['extended_deadline', 'extension_reason'])
		.where('id', '=', stored.id)
		.executeTakeFirstOrThrow();
	expect(extended.extension_reason).toBe('対象となる記録が多いため');
	expect(extended.extended_deadline! > stored.deadline).toBe(true);
	expect(
		(await auditEntries('desk.extend', since, stored.id)).map((entry) => entry.result)
	).toEqual(['ok']);
	expect((await auditEntries('desk.list', since)).length).toBeGreaterThan(1);

	// In-person identity support is one step away (the desk route of enrolment and recovery).
	await desk.goto('/staff/desk');
	await desk.getByRole('link', { name: '住民の利用登録（本人確認）' }).click();
	await expect(desk.getByRole('heading', { level: 1 })).toHaveText('住民の利用登録（本人確認）');
	await desk.goto('/staff/desk');

	// A phone complaint logged, then closed with the answer given.
	await desk.getByRole('link', { name: '問合せ・苦情の記録' }).click();
	await desk.getByLabel('種類').selectOption('complaint');
	await desk.getByLabel('受付の方法').selectOption('phone');
	await desk.getByLabel('相手の氏名').fill(requester);
	await desk.getByLabel('内容', { exact: true }).fill('通知書の文字が小さい');
	await desk.getByRole('button', { name: '記録する' }).click();
	await expect(desk.getByRole('status')).toContainText('記録しました');
	expect(await new AxeBuilder({ page: desk }).analyze().then((r) => r.violations)).toEqual([]);
	const entry = desk.getByTestId('inquiries').getByRole('listitem').filter({ hasText: requester });
	await entry.getByLabel('対応の内容').fill('次回から拡大版を同封すると回答');
	await entry.getByRole('button', { name: '対応を記録して完了する' }).click();
	await expect(desk.getByRole('status')).toContainText('完了にしました');
	await expect(
		desk.getByTestId('inquiries').getByRole('listitem').filter({ hasText: requester })
	).toContainText('次回から拡大版を同封すると回答');
	expect((await auditEntries('inquiry.list', since)).length).toBeGreaterThanOrEqual(3);
	expect((await auditEntries('inquiry.close', since)).map((row) => row.result)).toContain('ok');
});
