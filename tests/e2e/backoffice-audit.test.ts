// Issue 5: every back-office route and action that touches personal data, called by real staff
// in a real browser session, leaves the matching audit entry — action, actor, target, result —
// and 宛名検索 finds people however the name is typed, opening a record only with a purpose; a
// 個人番号 is shown only to a permitted role, with a reason, and never written to the log.
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { dataDirFor } from '../../playwright.config';
import { parseKeySpec } from '../../src/lib/server/config';
import { openMyNumber } from '../../src/lib/server/mynumber/cipher';
import { createStaffByCli, freshResident, registerStaff, serverDatabase } from './support';

const run = Date.now().toString(36);

type Entry = {
	action: string;
	result: string;
	actor_id: string;
	object_id: string | null;
	reason: string | null;
};

async function entriesSince(since: Date, actorId: string): Promise<Entry[]> {
	const { rows } = await sql<Entry>`
		SELECT action, result, actor_id, object_id, reason FROM audit.entry
		WHERE occurred_at >= ${since} AND actor_id = ${actorId} ORDER BY seq`.execute(serverDatabase());
	return rows;
}

async function staffIdOf(login: string): Promise<string> {
	const row = await serverDatabase()
		.selectFrom('staff_user')
		.select('id')
		.where('login_id', '=', login)
		.executeTakeFirstOrThrow();
	return row.id;
}

/** A submitted certificate request with one attached file, for a fresh resident. */
async function submittedCase(atena: string) {
	const db = serverDatabase();
	const account = await db
		.insertInto('resident_account')
		.values({
			municipality_code: '139998',
			atena_number: atena,
			user_handle: Buffer.from(crypto.getRandomValues(new Uint8Array(32)))
		})
		.onConflict((conflict) =>
			conflict.columns(['municipality_code', 'atena_number']).doUpdateSet({ atena_number: atena })
		)
		.returning('id')
		.executeTakeFirstOrThrow();
	const application = await db
		.insertInto('application')
		.values({
			municipality_code: '139998',
			kind: 'certificate',
			applicant_account_id: account.id,
			subject_atena_number: atena,
			status: 'submitted',
			stage: 'new',
			current_version: 1,
			reference: `E${Date.now().toString().slice(-7)}${Math.floor(Math.random() * 1000)}`,
			created_at: new Date(),
			updated_at: new Date(),
			submitted_at: new Date(),
			due_on: new Date().toISOString().slice(0, 10)
		})
		.returning(['id', 'reference'])
		.executeTakeFirstOrThrow();
	const file = await db
		.insertInto('attachment')
		.values({
			application_id: application.id,
			purpose: 'boshi_techo',
			content_type: 'application/pdf',
			file_name: 'p.pdf',
			size_bytes: 8,
			sha256: Buffer.alloc(32),
			content: Buffer.from('%PDF-1.7'),
			created_at: new Date()
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	return { ...application, attachment: file.id };
}

async function post(page: Page, path: string, form: Record<string, string>) {
	return page.request.post(path, {
		form,
		headers: { origin: 'http://localhost:4173', accept: 'text/html' },
		maxRedirects: 0
	});
}

const updatedAt = async (id: string) =>
	(
		await serverDatabase()
			.selectFrom('application')
			.select('updated_at')
			.where('id', '=', id)
			.executeTakeFirstOrThrow()
	).updated_at.toISOString();

test('every back-office route touching personal data leaves its audit entry', async ({
	browser
}) => {
	test.slow();
	const since = new Date();
	const person = await freshResident();
	const other = await freshResident();
	const first = await submittedCase(person.atena);
	const second = await submittedCase(other.atena);
	const worker = await registerStaff(
		browser,
		createStaffByCli({ role: 'caseworker', login: `audit-cw-${run}`, name: '監査 対象' })
	);
	const chief = await registerStaff(
		browser,
		createStaffByCli({ role: 'approver', login: `audit-ap-${run}`, name: '監査 決裁' })
	);
	const workerId = await staffIdOf(`audit-cw-${run}`);
	const chiefId = await staffIdOf(`audit-ap-${run}`);
	const caseUrl = (id: string) => `/staff/cases/${id}`;

	// Each call, and the entry it must leave: [action, target, result].
	const expected: [string, string | null, string][] = [];
	await worker.goto('/staff/cases');
	expected.push(['application.list', null, 'ok']);
	await worker.goto(caseUrl(first.id));
	await expect(worker.getByTestId('case-stage')).toHaveText('新着（未担当）');
	expect(await new AxeBuilder({ page: worker }).analyze().then((r) => r.violations)).toEqual([]);
	expected.push(['application.view', first.id, 'ok']);
	expect(
		(await worker.request.get(`${caseUrl(first.id)}/attachments/${first.attachment}`)).status()
	).toBe(200);
	expected.push(['attachment.view', first.attachment, 'ok']);
	expect(
		(
			await post(worker, `${caseUrl(first.id)}?/assign`, { updated_at: await updatedAt(first.id) })
		).status()
	).toBe(303);
	expected.push(['application.assign', first.id, 'ok']);
	expect(
		(
			await post(worker, `${caseUrl(first.id)}?/note`, { body: '母子手帳の写真を確認済み' })
		).status()
	).toBe(303);
	expected.push(['application.note', first.id, 'ok']);
	expect(
		(
			await post(worker, `${caseUrl(first.id)}?/prepare`, { updated_at: await updatedAt(first.id) })
		).status()
	).toBe(303);
	expected.push(['application.prepare', first.id, 'ok']);
	// Refused actions are audited too: a caseworker approving, a stale form.
	expect(
		(
			await post(worker, `${caseUrl(first.id)}?/approve`, { updated_at: await updatedAt(first.id) })
		).status()
	).toBe(400);
	// A refused action shows the case again with fresh data: that is a view too.
	expected.push(['application.approve', first.id, 'denied'], ['application.view', first.id, 'ok']);
	expect(
		(
			await post(worker, `${caseUrl(second.id)}?/return`, {
				updated_at: await updatedAt(second.id),
				step: 'passport',
				note_passport: '確認',
				reason: '確認のため'
			})
		).status()
	).toBe(303);
	expected.push(['application.return', second.id, 'ok']);
	expect(
		(
			await post(worker, `${caseUrl(second.id)}?/assign`, {
				updated_at: '2000-01-01T00:00:00.000Z'
			})
		).status()
	).toBe(409);
	expected.push(['application.assign', second.id, 'denied'], ['application.view', second.id, 'ok']);
	// 宛名検索 and the record, opened with a purpose.
	await worker.goto('/staff/residents');
	await worker.getByLabel('氏名', { exact: true }).fill(person.name.split(/\s|\u3000/)[0]!);
	await worker.getByLabel('生年月日').fill(person.birthDate);
	await worker.getByRole('button', { name: '検索' }).click();
	await expect(worker.getByTestId('search-results')).toContainText(person.name);
	expect(await new AxeBuilder({ page: worker }).analyze().then((r) => r.violations)).toEqual([]);
	expected.push(['resident.search', null, 'ok']);
	await worker
		.getByTestId('search-results')
		.getByRole('link', { name: person.name })
		.first()
		.click();
	await expect(worker.getByTestId('record')).toHaveCount(0);
	await worker.getByLabel('処理事由').fill(`案件 ${first.reference} の審査`);
	await worker.getByRole('button', { name: '記録を開く' }).click();
	await expect(worker.getByTestId('record')).toContainText(person.atena);
	expect(await new AxeBuilder({ page: worker }).analyze().then((r) => r.violations)).toEqual([]);
	expected.push(['resident.view', person.atena, 'ok']);

	const workerEntries = (await entriesSince(since, workerId)).filter(
		(entry) => !entry.action.startsWith('auth.')
	);
	expect(workerEntries.map((entry) => [entry.action, entry.object_id, entry.result])).toEqual(
		expected.map(([action, target, result]) => [action, target, result])
	);
	expect(workerEntries.find((entry) => entry.action === 'resident.view')?.reason).toBe(
		`案件 ${first.reference} の審査`
	);

	// The approver: approve, record the issue, reject another case.
	const chiefExpected: [string, string | null, string][] = [];
	await chief.goto(caseUrl(first.id));
	chiefExpected.push(['application.view', first.id, 'ok']);
	await chief.getByRole('button', { name: '決裁する（承認）' }).click();
	await expect(chief.getByTestId('case-stage')).toHaveText('完了');
	chiefExpected.push(['application.approve', first.id, 'ok'], ['application.view', first.id, 'ok']);
	const third = await submittedCase((await freshResident()).atena);
	expect(
		(
			await post(chief, `${caseUrl(third.id)}?/reject`, {
				updated_at: await updatedAt(third.id),
				reason: '対象外の申請'
			})
		).status()
	).toBe(303);
	// The rejection issues its 却下通知書 in the same transaction, before the decision's entry.
	const notice = await serverDatabase()
		.selectFrom('issued_document')
		.select(['id', 'kind'])
		.where('application_id', '=', third.id)
		.executeTakeFirstOrThrow();
	expect(notice.kind).toBe('notice');
	chiefExpected.push(['document.issue', notice.id, 'ok'], ['application.reject', third.id, 'ok']);
	const chiefEntries = (await entriesSince(since, chiefId)).filter(
		(entry) => !entry.action.startsWith('auth.')
	);
	expect(chiefEntries.map((entry) => [entry.action, entry.object_id, entry.result])).toEqual(
		chiefExpected
	);
	// Another city's staff route with a made-up id: 404 and audited as denied.
	expect((await chief.goto(caseUrl('00000000-0000-4000-8000-000000000000')))?.status()).toBe(404);
	const denied = await entriesSince(since, chiefId);
	expect(denied.at(-1)).toMatchObject({ action: 'application.view', result: 'denied' });
});

test('a 個人番号 is shown only to a permitted role, one person at a time, with a reason', async ({
	browser
}) => {
	const since = new Date();
	const person = await freshResident();
	const officer = await registerStaff(
		browser,
		createStaffByCli({ role: 'relief_officer', login: `relief-${run}`, name: '救済 担当' })
	);
	const officerId = await staffIdOf(`relief-${run}`);
	await officer.goto(`/staff/residents/${person.atena}`);
	await officer.getByLabel('処理事由').fill('健康被害救済の請求書の確認');
	await officer.getByRole('button', { name: '記録を開く' }).click();
	const cell = officer.getByTestId('mynumber');
	await expect(cell).toContainText('●●●● ●●●● ●●●●');
	await officer.getByRole('button', { name: '理由を記録して表示' }).click();
	await expect(officer.getByRole('alert')).toContainText('表示する理由を入力してください');
	await officer.getByLabel('表示する理由').fill('請求書記載の個人番号との照合');
	await officer.getByRole('button', { name: '理由を記録して表示' }).click();
	const shown = (await officer.getByTestId('mynumber').innerText()).replace(/\s/g, '');
	expect(shown).toMatch(/^\d{12}$/);
	// It is the number on file, and the audit entry has the reason but not the number.
	const secrets = JSON.parse(readFileSync(path.join(dataDirFor('all'), 'secrets.json'), 'utf8'));
	const sealed = await serverDatabase()
		.selectFrom('mynumber.individual_number')
		.select(['key_id', 'nonce', 'ciphertext', 'auth_tag'])
		.where('atena_number', '=', person.atena)
		.executeTakeFirstOrThrow();
	expect(
		openMyNumber(
			[parseKeySpec(secrets.myNumberKey)],
			{ municipalityCode: '139998', atenaNumber: person.atena },
			{
				keyId: sealed.key_id,
				nonce: sealed.nonce,
				ciphertext: sealed.ciphertext,
				authTag: sealed.auth_tag
			}
		)
	).toBe(shown);
	const entries = (await entriesSince(since, officerId)).filter(
		(entry) => entry.action === 'mynumber.view'
	);
	expect(entries).toEqual([
		expect.objectContaining({
			result: 'ok',
			object_id: person.atena,
			reason: '請求書記載の個人番号との照合'
		})
	]);
	const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit.payload
		WHERE payload::text LIKE ${`%${shown}%`}`.execute(serverDatabase());
	expect(rows[0]!.n).toBe(0);

	// A caseworker sees no number and cannot ask for one.
	const worker = await registerStaff(
		browser,
		createStaffByCli({ role: 'caseworker', login: `nomn-${run}`, name: '番号 なし' })
	);
	await worker.goto(`/staff/residents/${person.atena}`);
	await worker.getByLabel('処理事由').fill('問合せ対応');
	await worker.getByRole('button', { name: '記録を開く' }).click();
	await expect(worker.getByTestId('record')).toBeVisible();
	await expect(worker.getByTestId('mynumber')).toHaveCount(0);
	const forced = await worker.request.post(`/staff/residents/${person.atena}?/mynumber`, {
		form: { purpose: 'x', reason: 'y' },
		headers: { origin: 'http://localhost:4173', accept: 'text/html' },
		maxRedirects: 0
	});
	expect(forced.status()).toBe(403);
	expect(await forced.text()).not.toContain(shown);
});
