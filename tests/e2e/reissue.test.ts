// 予診票の再発行 end to end: a parent picks a child and a dose the guard allows, answers one
// question per page (errors summarised and linked, nothing typed lost), checks the answers, signs
// with a passkey and gets a reference; a draft resumes; another account's id is a 404.
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { sql } from 'kysely';
import { reverifySignedAct } from '../../src/lib/server/auth/signing';
import { accountOf, auditEntries, serverDatabase, lane, enrolResident, hydrated } from './support';

async function parentOfToddler() {
	const { rows } = await sql<{ guardian: string; birth_date: string; child: string }>`
		SELECT g.guardian_atena_number AS guardian, r.birth_date, g.child_atena_number AS child
		FROM guardianship g
		JOIN resident r ON r.municipality_code = g.municipality_code AND r.atena_number = g.guardian_atena_number
		JOIN resident c ON c.municipality_code = g.municipality_code AND c.atena_number = g.child_atena_number
		WHERE NOT g.suppressed_for_dv AND g.valid_until >= current_date AND c.status = 'resident'
			AND r.status = 'resident' AND c.birth_date > current_date - interval '1 year'
			AND NOT EXISTS (SELECT 1 FROM enrolment e WHERE e.atena_number = g.guardian_atena_number)
			AND g.guardian_atena_number::bigint % ${lane().count} = ${lane().index}
		ORDER BY random() LIMIT 1`.execute(serverDatabase());
	return rows[0]!;
}

test('a parent asks for a new 予診票 for a child, signed, and follows it', async ({ page }) => {
	const since = new Date();
	const parent = await parentOfToddler();
	const child = await serverDatabase()
		.selectFrom('resident')
		.select('name_kanji')
		.where('atena_number', '=', parent.child)
		.executeTakeFirstOrThrow();
	await enrolResident(page, parent.guardian, parent.birth_date);

	await page.getByRole('link', { name: '予診票の再発行' }).click();
	await page.getByRole('button', { name: '申請を始める' }).click();
	await expect(page).toHaveURL(/\/applications\/[0-9a-f-]{36}\/person$/);
	const wizard = page.url().replace(/\/person$/, '');

	// Nothing chosen: an error summary that links to the field.
	await page.getByRole('button', { name: '次へ' }).click();
	await expect(page.getByRole('alert')).toContainText('どなたについての申請か選んでください');
	expect(await new AxeBuilder({ page }).analyze().then((r) => r.violations)).toEqual([]);
	await page
		.getByRole('radio', {
			name: new RegExp(`^${child.name_kanji.replace(/\u3000/g, '.')}（お子さん`)
		})
		.first()
		.check();
	await page.getByRole('button', { name: '次へ' }).click();

	await expect(page).toHaveURL(/\/dose$/);
	const choices = page.getByRole('radio');
	expect(await choices.count()).toBeGreaterThan(0);
	const doseLabel = (await page.locator('label.choice').first().innerText()).split('\n')[0]!.trim();
	await choices.first().check();
	await page.getByRole('button', { name: '次へ' }).click();

	// "Other" without a reason keeps the choice and asks for the reason.
	await page.getByRole('radio', { name: 'その他' }).check();
	await page.getByRole('button', { name: '次へ' }).click();
	await expect(page.getByRole('alert')).toContainText('「その他」の理由を入力してください');
	await expect(page.getByRole('radio', { name: 'その他' })).toBeChecked();
	await page.getByLabel('なくした').check();
	await page.getByRole('button', { name: '次へ' }).click();

	// Leave and come back later: the draft resumes where it stopped.
	await page.goto('/applications');
	await expect(page.getByTestId('applications')).toContainText('下書き');
	await page.getByTestId('applications').getByRole('link').first().click();
	await page.getByRole('link', { name: '続きから入力する' }).click();
	await expect(page).toHaveURL(/\/delivery$/);
	await page.getByLabel('住民票の住所に郵送').check();
	await page.getByRole('button', { name: '次へ' }).click();

	await expect(page).toHaveURL(/\/check$/);
	const summary = page.getByTestId('summary');
	await expect(summary).toContainText(doseLabel);
	await expect(summary).toContainText('なくした');
	expect(await new AxeBuilder({ page }).analyze().then((r) => r.violations)).toEqual([]);

	// The same check page left open in a second tab, to sign from after it was sent.
	const staleTab = await page.context().newPage();
	await staleTab.goto(`${wizard}/check`);
	await expect(staleTab.getByRole('button', { name: '署名して送信する' })).toBeEnabled();

	let signedBody: string | null = null;
	page.on('request', (request) => {
		if (request.url().endsWith('/submit/verify')) signedBody = request.postData();
	});
	await page.getByRole('button', { name: '署名して送信する' }).click();
	await expect(page.getByTestId('confirmation')).toContainText('申請を送信しました');
	await expect(page.getByTestId('status')).toHaveText('送信済');
	const reference = (await page.locator('.reference').innerText()).trim();
	expect(reference).toMatch(/^R\d{8}-\d{6}$/);

	// The inbox says so, with the reference and no personal data.
	await page.goto('/home');
	const notices = page.getByTestId('notices');
	await expect(notices).toContainText('申請を受け付けました');
	await expect(notices.getByRole('link', { name: new RegExp(reference) })).toBeVisible();
	expect(await notices.innerText()).not.toContain(child.name_kanji);
	await page.goBack();

	// Signed again from the old tab: told it was sent already, with the way to its page, not that
	// the passkey failed; no second signature is asked for.
	await staleTab.getByRole('button', { name: '署名して送信する' }).click();
	const told = staleTab.getByTestId('ceremony-message');
	await expect(told).toContainText('送信済み、または取り下げ済みです');
	expect(await new AxeBuilder({ page: staleTab }).analyze().then((r) => r.violations)).toEqual([]);
	await told.getByRole('link', { name: '申請の状況を見る' }).click();
	await expect(staleTab).toHaveURL(new RegExp(`${wizard.split('/').pop()}$`));
	await expect(staleTab.getByTestId('status')).toHaveText('送信済');
	await staleTab.close();

	// Sent again (a double tap, a resend of the same assertion): refused as already sent, and
	// still exactly one version.
	const again = await page.request.post(`${wizard}/submit/verify`, {
		data: signedBody!,
		headers: { 'content-type': 'application/json', origin: 'http://localhost:4173' }
	});
	expect(again.status()).toBe(409);
	expect(await again.json()).toMatchObject({ moved: true });
	const id = wizard.split('/').pop()!;
	const versions = await serverDatabase()
		.selectFrom('application_version')
		.select(['signed_act_id', 'payload'])
		.where('application_id', '=', id)
		.execute();
	expect(versions).toHaveLength(1);
	expect(JSON.parse(versions[0]!.payload)).toMatchObject({
		kind: 'reissue',
		reason: 'lost',
		delivery: 'mail'
	});
	expect(await reverifySignedAct(serverDatabase(), versions[0]!.signed_act_id)).toMatchObject({
		valid: true
	});
	const account = await accountOf(parent.guardian);
	expect((await auditEntries('application.submit', since, account)).length).toBe(1);

	// The wizard is closed once sent; another person's application id is not found.
	await page.goto(`${wizard}/reason`);
	await expect(page).toHaveURL(new RegExp(`/applications/${id}$`));
	const stranger = await page.goto('/applications/00000000-0000-4000-8000-000000000000');
	expect(stranger?.status()).toBe(404);
	expect(
		(await auditEntries('application.view', since, account)).some((row) => row.result === 'denied')
	).toBe(true);
});

test('a draft is withdrawn with a signature and stays in the list as withdrawn', async ({
	page
}) => {
	const since = new Date();
	const parent = await parentOfToddler();
	await enrolResident(page, parent.guardian, parent.birth_date);
	await page.goto('/apply/reissue');
	await page.getByRole('button', { name: '申請を始める' }).click();
	const id = page.url().split('/').at(-2)!;
	await page.goto(`/applications/${id}`);
	await expect(page.getByTestId('status')).toHaveText('下書き');
	const staleTab = await page.context().newPage();
	await staleTab.goto(`/applications/${id}`);
	// A click before the page has hydrated does nothing (the ceremony is the page's script).
	await hydrated(staleTab);
	await hydrated(page);
	await page.getByRole('button', { name: '署名して取り下げる' }).click();
	// (The page may still say the withdrawal is on its way to the city beside it.)
	await expect(page.getByRole('status').filter({ hasText: '申請を取り下げました' })).toBeVisible();
	// Withdrawn again from a tab opened before: told so, nothing signed.
	await staleTab.getByRole('button', { name: '署名して取り下げる' }).click();
	await expect(staleTab.getByTestId('ceremony-message')).toContainText(
		'すでに取り下げられているか'
	);
	await staleTab.close();
	await expect(page.getByTestId('status')).toHaveText('取下げ');
	await expect(page.getByRole('button', { name: '署名して取り下げる' })).toHaveCount(0);
	const transition = await serverDatabase()
		.selectFrom('application_transition')
		.select(['to_status', 'signed_act_id'])
		.where('application_id', '=', id)
		.executeTakeFirstOrThrow();
	expect(transition.to_status).toBe('withdrawn');
	expect(await reverifySignedAct(serverDatabase(), transition.signed_act_id!)).toMatchObject({
		valid: true
	});
	const account = await accountOf(parent.guardian);
	expect(await auditEntries('application.withdraw', since, account)).toHaveLength(1);
	await page.goto('/applications');
	await expect(page.getByTestId('applications')).toContainText('取下げ');
	// The wizard of a withdrawn application is closed.
	await page.goto(`/applications/${id}/person`);
	await expect(page).toHaveURL(new RegExp(`/applications/${id}$`));
});

test('with nothing to reissue for anyone, the start page says so and no draft is made', async ({
	page
}) => {
	// An adult of 30 to 50 with no children: no routine dose is due.
	const { rows } = await sql<{ atena: string; birth_date: string; name: string }>`
		SELECT r.atena_number AS atena, r.birth_date, r.name_kanji AS name FROM resident r
		WHERE r.status = 'resident'
			AND r.birth_date BETWEEN current_date - interval '50 years' AND current_date - interval '30 years'
			AND NOT EXISTS (SELECT 1 FROM guardianship g WHERE g.guardian_atena_number = r.atena_number)
			AND NOT EXISTS (SELECT 1 FROM enrolment e WHERE e.atena_number = r.atena_number)
			AND r.atena_number::bigint % ${lane().count} = ${lane().index}
		ORDER BY random() LIMIT 1`.execute(serverDatabase());
	const person = rows[0]!;
	await enrolResident(page, person.atena, person.birth_date);
	await page.goto('/apply/reissue');
	await expect(page.getByTestId('nothing-due')).toContainText(person.name);
	await expect(page.getByTestId('cannot-start')).toBeVisible();
	await expect(page.getByRole('button', { name: '申請を始める' })).toHaveCount(0);
	expect(await new AxeBuilder({ page }).analyze().then((r) => r.violations)).toEqual([]);
	// A start posted anyway (an old tab, a crafted request) makes no draft.
	const posted = await page.request.post('/apply/reissue', {
		form: { start_key: crypto.randomUUID() },
		headers: { origin: new URL(page.url()).origin, accept: 'text/html' }
	});
	expect(posted.status()).toBe(400);
	const account = await accountOf(person.atena);
	const drafts = await serverDatabase()
		.selectFrom('application')
		.select('id')
		.where('applicant_account_id', '=', account)
		.execute();
	expect(drafts).toEqual([]);
});

test('a choice made before the page has loaded its scripts stays made', async ({ page }) => {
	const parent = await parentOfToddler();
	await enrolResident(page, parent.guardian, parent.birth_date);
	await page.getByRole('link', { name: '予診票の再発行' }).click();
	await page.getByRole('button', { name: '申請を始める' }).click();
	await expect(page).toHaveURL(/\/person$/);
	const step = page.url();
	// Hold the app's scripts back, as a slow phone network would, while the parent chooses.
	let release!: () => void;
	const held = new Promise<void>((resolve) => (release = resolve));
	await page.route('**/_app/immutable/**/*.js', async (route) => {
		await held;
		await route.continue();
	});
	await page.goto(step, { waitUntil: 'domcontentloaded' });
	const first = page.getByRole('radio').first();
	await first.check();
	release();
	await page.waitForLoadState('networkidle');
	await expect(first).toBeChecked();
});
