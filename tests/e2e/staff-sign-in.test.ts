// Staff: an administrator bootstrapped by the CLI signs in with a device-bound passkey, creates
// colleagues, a desk officer proves a resident's identity in person and hands over a QR link,
// the resident enrols on their phone; a revoked role ends the colleague's session; the rights
// reports come out as PDF and CSV that real readers accept.
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
	addAuthenticator,
	auditEntries,
	createStaffByCli,
	freshResident,
	registerStaff
} from './support';

const run = Date.now().toString(36);

async function createColleague(admin: Page, login: string, role: string): Promise<string> {
	await admin.goto('/staff/admin/users');
	await admin.getByLabel('ログインID').fill(login);
	await admin.getByLabel('氏名').fill(`テスト ${login}`);
	await admin.getByLabel('所属', { exact: true }).fill('健康増進課');
	await admin.getByLabel('権限（ロール）').selectOption(role);
	await admin.getByLabel('理由').fill('4月1日付 人事異動');
	await admin.getByRole('button', { name: 'アカウントを作成' }).click();
	return (await admin.getByTestId('registration-link').textContent())!.trim();
}

test('admin from the CLI creates colleagues; the desk enrols a resident in person; roles take effect at once', async ({
	browser
}) => {
	test.slow();
	const since = new Date();
	const adminLink = createStaffByCli({ role: 'admin', login: `admin-${run}`, name: '管理 太郎' });
	const admin = await registerStaff(browser, adminLink);
	await expect(admin.getByTestId('staff-identity')).toContainText(`admin-${run}`);
	expect(await new AxeBuilder({ page: admin }).analyze().then((r) => r.violations)).toEqual([]);

	// A one-time link: the same link again is refused.
	const reuse = await (await browser.newContext()).newPage();
	await reuse.goto(adminLink);
	await reuse.getByRole('button', { name: '次へ進む' }).click();
	await expect(reuse.getByRole('alert')).toContainText('このリンクは使えません');

	// Staff passkeys must be device-bound: a synced passkey is refused.
	const caseworkerLink = await createColleague(admin, `cw-${run}`, 'caseworker');
	const synced = await (await browser.newContext()).newPage();
	await addAuthenticator(synced, { backupEligible: true });
	await synced.goto(caseworkerLink);
	await synced.getByRole('button', { name: '次へ進む' }).click();
	await synced.getByRole('button', { name: 'パスキーを登録する' }).click();
	await expect(synced.getByTestId('ceremony-message')).toContainText('本人確認ができませんでした');
	const caseworker = await registerStaff(browser, caseworkerLink);
	await expect(caseworker.getByText('権限: caseworker')).toBeVisible();
	// A caseworker cannot administer accounts.
	expect((await caseworker.goto('/staff/admin/users'))?.status()).toBe(403);

	const deskLink = await createColleague(admin, `desk-${run}`, 'desk');
	const desk = await registerStaff(browser, deskLink);

	// In person: the desk officer finds the resident, records the documents seen, shows a QR.
	const person = await freshResident();
	await desk.goto('/staff/enrolment');
	await desk.getByLabel('宛名番号').fill(person.atena);
	await desk.getByRole('button', { name: '検索' }).click();
	await expect(desk.getByTestId('results')).toContainText(person.name);
	await desk.getByTestId('results').getByRole('link').first().click();
	await desk.getByRole('button', { name: '登録用QRコードを発行' }).click();
	await expect(desk.getByRole('alert')).toContainText('本人確認書類を選んでください');
	await desk.getByLabel('マイナンバーカード（ID-1）').check();
	await desk.getByRole('button', { name: '登録用QRコードを発行' }).click();
	await expect(desk.getByRole('img', { name: '登録用リンクのQRコード' })).toBeVisible();
	const residentLink = (await desk.getByTestId('desk-link').textContent())!.trim();
	expect(await new AxeBuilder({ page: desk }).analyze().then((r) => r.violations)).toEqual([]);

	// The resident, on their own phone.
	const phone = await (await browser.newContext({ locale: 'ja-JP' })).newPage();
	await addAuthenticator(phone, { backupEligible: true });
	await phone.goto(residentLink);
	await phone.getByRole('button', { name: '次へ進む' }).click();
	await phone.getByRole('button', { name: 'パスキーを登録する' }).click();
	await expect(phone).toHaveURL(/\/home\?welcome=1$/);
	await expect(phone.getByRole('heading', { level: 1 })).toContainText(person.name);
	const issued = await auditEntries('auth.enrolment_issue', since);
	expect(issued.length).toBeGreaterThanOrEqual(4);

	// By letter: the PDF carries the code, addressed to the registered address.
	const other = await freshResident();
	await desk.goto(`/staff/enrolment/${other.atena}`);
	const download = desk.waitForEvent('download');
	await desk.getByRole('button', { name: '登録コードを発行して通知書PDFを作成' }).click();
	const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'letter-')), 'letter.pdf');
	await (await download).saveAs(file);
	execFileSync('qpdf', ['--check', file]);
	const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
	// Text extraction renders the spacing around names its own way: compare without spaces.
	const flat = (value: string) => value.replace(/[\s\u3000]+/g, '');
	expect(flat(text)).toContain(`${flat(other.name)}様`);
	expect(text).toContain('利用登録のご案内');
	const code = text.match(
		/[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}/
	)![0];
	const letterPhone = await (await browser.newContext({ locale: 'ja-JP' })).newPage();
	await addAuthenticator(letterPhone);
	await letterPhone.goto('/enrol');
	await letterPhone.getByLabel('登録コード').fill(code);
	await letterPhone.getByLabel('生年月日').fill(other.birthDate);
	await letterPhone.getByRole('button', { name: '次へ進む' }).click();
	await expect(letterPhone).toHaveURL(/\/enrol\/passkey$/);

	// Revoking the desk role: the desk officer's very next request has no session.
	await admin.goto('/staff/admin/users');
	await admin.getByRole('link', { name: `desk-${run}` }).click();
	await expect(admin.getByTestId('assignments')).toContainText('desk');
	await admin.getByLabel('理由').first().fill('異動');
	await admin.getByRole('button', { name: '権限を取り消す' }).click();
	await expect(admin.getByTestId('assignments')).toContainText('取消済み');
	await desk.goto('/staff/enrolment');
	await expect(desk).toHaveURL(/\/staff\/sign-in/);

	// Reports: rights changes (ACL-2) and the review list (ACL-4).
	const changes = await admin.request.get('/staff/admin/reports/rights-changes?format=csv');
	expect(changes.headers()['content-type']).toContain('text/csv');
	const csv = await changes.text();
	expect(csv).toContain(`desk-${run}`);
	expect(csv).toContain('権限取消');
	const pdf = await admin.request.get('/staff/admin/reports/rights-review?format=pdf');
	const reviewFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'review-')), 'review.pdf');
	writeFileSync(reviewFile, await pdf.body());
	execFileSync('qpdf', ['--check', reviewFile]);
	const review = execFileSync('pdftotext', ['-layout', reviewFile, '-'], { encoding: 'utf8' });
	expect(review).toContain('定期確認リスト');
	expect(review).toContain(`cw-${run}`);
	expect(readFileSync(reviewFile).subarray(0, 5).toString()).toBe('%PDF-');
	expect((await auditEntries('staff.report', since)).length).toBe(2);
	expect((await auditEntries('staff.role_revoke', since)).length).toBe(1);
});
