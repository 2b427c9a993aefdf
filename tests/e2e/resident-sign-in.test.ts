// Residents: enrolment by letter code, passkeys with user verification in real Chromium (its
// virtual authenticator over CDP), several keys, revocation, signed consent, timeouts.
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { sql } from 'kysely';
import { issueLetterCode } from '../../src/lib/server/auth/enrolment';
import { reverifySignedAct } from '../../src/lib/server/auth/signing';
import {
	accountOf,
	addAuthenticator,
	auditEntries,
	expectDenied,
	freshResident,
	rawAssertion,
	portalZoneDatabase,
	serverDatabase,
	strangerCredential,
	type VirtualAuthenticator,
	projectionPublished
} from './support';

const city = '139998';

const enrolmentOfCode = new Map<string, string>();

async function letterCodeFor(atena: string): Promise<string> {
	const { code, enrolment } = await issueLetterCode(serverDatabase(), {
		municipalityCode: city,
		atenaNumber: atena,
		issuedBy: null,
		now: new Date()
	});
	enrolmentOfCode.set(code, enrolment.id);
	return code;
}

async function enrolByLetter(page: Page, code: string, birthDate: string) {
	await page.goto('/enrol');
	await page.getByLabel('登録コード').fill(code);
	await page.getByLabel('生年月日').fill(birthDate);
	await page.getByRole('button', { name: '次へ進む' }).click();
	await expect(page).toHaveURL(/\/enrol\/passkey$/);
	await page.getByRole('button', { name: 'パスキーを登録する' }).click();
	await expect(page).toHaveURL(/\/home\?welcome=1$/);
}

/** Sign-in options fetched as the page's browser (its cookies), for hand-made assertions. */
async function signInOptions(page: Page): Promise<{ challenge: string }> {
	const response = await page.request.post('/auth/sign-in/options', {
		headers: { 'content-type': 'application/json', origin: 'http://localhost:4173' },
		data: {}
	});
	return response.json();
}

async function signIn(page: Page) {
	await page.goto('/sign-in');
	await page.getByRole('button', { name: 'パスキーでサインイン' }).click();
	await expect(page).toHaveURL(/\/home$/);
}

async function signOut(page: Page) {
	await page.goto('/home');
	await page.getByRole('button', { name: 'サインアウト', exact: true }).click();
	await expect(page).toHaveURL(/\/sign-in\?signed_out=1$/);
}

async function signInFails(page: Page) {
	await page.goto('/sign-in');
	await page.getByRole('button', { name: 'パスキーでサインイン' }).click();
	await expect(page.getByTestId('ceremony-message')).toContainText('本人確認ができませんでした');
	await expect(page).toHaveURL(/\/sign-in/);
}

test('a resident enrols by letter, signs in, adds a second key, revokes the first and cannot use it again', async ({
	page
}) => {
	const since = new Date();
	const person = await freshResident();
	const code = await letterCodeFor(person.atena);
	const phone = await addAuthenticator(page);

	await enrolByLetter(page, code, person.birthDate);
	await expect(page.getByRole('heading', { level: 1 })).toContainText(person.name);
	expect(await new AxeBuilder({ page }).analyze().then((r) => r.violations)).toEqual([]);
	// A notice of the new passkey, with no personal data in it.
	const notices = page.getByTestId('notices');
	await expect(notices).toContainText('新しいパスキーが登録されました');
	const noticeText = await notices.innerText();
	expect(noticeText).not.toContain(person.name);
	expect(noticeText).not.toContain(person.atena);
	expect(noticeText).not.toContain(person.birthDate);
	// What the resident can do comes first on the phone; a notice once seen waits behind a link
	// instead of piling up above everything (issue 25).
	const [apply, household] = await Promise.all([
		page.getByTestId('apply-heading').boundingBox(),
		page.getByTestId('household').boundingBox()
	]);
	expect(apply!.y).toBeLessThan(household!.y);
	await page.reload();
	await expect(page.getByTestId('notices')).toHaveCount(0);
	await expect(page.getByTestId('read-notices')).toContainText(/読んだお知らせ（\d+件）/);
	expect(await new AxeBuilder({ page }).analyze().then((r) => r.violations)).toEqual([]);

	// The session cookie holds an opaque value; the portal zone's database holds only its SHA-256.
	const cookie = (await page.context().cookies()).find((c) => c.name === 'resident_session')!;
	expect(cookie.httpOnly).toBe(true);
	expect(cookie.sameSite).toBe('Lax');
	const stored = await portalZoneDatabase().selectFrom('resident_session').select('id').execute();
	expect(stored.map((row) => row.id)).not.toContain(cookie.value);

	await signOut(page);
	// The old cookie is dead on the server too.
	const replay = await page.request.get('/home', {
		headers: { cookie: `resident_session=${cookie.value}`, accept: 'text/html' },
		maxRedirects: 0
	});
	expect(replay.status()).toBe(303);
	await signIn(page);

	// Keep the first key, then add a second one from a security key, and confirm the addition with
	// the first (issue 27: the back office binds only a passkey an existing one vouched for).
	const [firstKey] = await phone.credentials();
	await phone.remove();
	const newKey = await addAuthenticator(page);
	await page.goto('/account/passkeys');
	await page.getByRole('button', { name: 'パスキーを追加する' }).click();
	const confirm = page.getByRole('button', { name: '今お使いのパスキーで確認する' });
	await expect(confirm).toBeVisible();
	expect(await new AxeBuilder({ page }).analyze().then((r) => r.violations)).toEqual([]);
	const [madeKey] = await newKey.credentials();
	await newKey.remove();
	const phoneAgain = await addAuthenticator(page);
	await phoneAgain.addCredential(firstKey!);
	await confirm.click();
	await expect(page).toHaveURL(/\/account\/passkeys\?added=1$/);
	await phoneAgain.remove();
	const securityKey = await addAuthenticator(page);
	await securityKey.addCredential(madeKey!);
	await expect(page.getByTestId('passkey')).toHaveCount(2);
	expect(await new AxeBuilder({ page }).analyze().then((r) => r.violations)).toEqual([]);

	// Revoke the first key (the one this session was opened with: the session ends with it).
	const first = page.getByTestId('passkey').first();
	await first.getByRole('button', { name: '取り消す' }).click();
	await expect(page).toHaveURL(/\/sign-in/);
	await projectionPublished(); // the notice of the revocation reaches the portal zone (issue 27)
	await signIn(page); // with the security key
	await page.goto('/account/passkeys');
	await expect(page.getByTestId('passkey')).toHaveCount(1);
	await page.goto('/home');
	// Signing in showed it already: it is among the read notices now.
	await expect(page.getByTestId('read-notices')).toContainText('パスキーが取り消されました');

	// The revoked key, presented again, is refused.
	await signOut(page);
	await securityKey.remove();
	const oldPhone = await addAuthenticator(page);
	await oldPhone.addCredential(firstKey!);
	await signInFails(page);
	const account = await accountOf(person.atena);
	await expectDenied('auth.sign_in', 'credential_revoked', since, account);

	const register = await auditEntries('auth.register', since, account);
	expect(register.filter((row) => row.result === 'ok')).toHaveLength(2);
	// Revoked on the portal, recorded inside when the back office takes the revocation in.
	await expect
		.poll(async () => (await auditEntries('auth.credential_revoke', since, account)).length)
		.toBe(1);
	// A resident's sign-in and sign-out reach the audit log when the back office takes them in.
	await expect
		.poll(async () => (await auditEntries('auth.sign_out', since, account)).length)
		.toBe(2);
	await expect
		.poll(
			async () =>
				(await auditEntries('auth.sign_in', since, account)).filter((r) => r.result === 'ok').length
		)
		.toBe(2);
});

test('a used enrolment code cannot be used again, and a code locks after five wrong birth dates', async ({
	page
}) => {
	const since = new Date();
	const person = await freshResident();
	const code = await letterCodeFor(person.atena);
	await addAuthenticator(page);
	await enrolByLetter(page, code, person.birthDate);
	await signOut(page);

	await page.goto('/enrol');
	await page.getByLabel('登録コード').fill(code);
	await page.getByLabel('生年月日').fill(person.birthDate);
	await page.getByRole('button', { name: '次へ進む' }).click();
	await expect(page.getByRole('alert')).toContainText('登録コードまたは生年月日が正しくありません');
	// The form keeps what was typed.
	await expect(page.getByLabel('登録コード')).toHaveValue(code);
	await expectDenied('auth.enrolment_claim', 'code_used', since, enrolmentOfCode.get(code));

	const other = await freshResident();
	const second = await letterCodeFor(other.atena);
	for (let attempt = 1; attempt <= 5; attempt++) {
		await page.goto('/enrol');
		await page.getByLabel('登録コード').fill(second.toLowerCase().replace(/-/g, ' '));
		await page.getByLabel('生年月日').fill('1900-01-01');
		await page.getByRole('button', { name: '次へ進む' }).click();
		await expect(page.getByRole('alert')).toContainText(
			'登録コードまたは生年月日が正しくありません'
		);
	}
	// The sixth attempt, now with the right birth date, is refused the same way.
	await page.goto('/enrol');
	await page.getByLabel('登録コード').fill(second);
	await page.getByLabel('生年月日').fill(other.birthDate);
	await page.getByRole('button', { name: '次へ進む' }).click();
	await expect(page.getByRole('alert')).toContainText('登録コードまたは生年月日が正しくありません');
	await expect(page).toHaveURL(/\/enrol$/);
	await expectDenied('auth.enrolment_claim', 'code_locked', since, enrolmentOfCode.get(second));
	const claims = await auditEntries('auth.enrolment_claim', since, enrolmentOfCode.get(second));
	expect(claims.filter((row) => row.reason === 'code_invalid')).toHaveLength(4);
});

test.describe('rejected ceremonies, each audited', () => {
	let page: Page;
	let authenticator: VirtualAuthenticator;
	let account: string;

	test.beforeEach(async ({ page: given }) => {
		page = given;
		const person = await freshResident();
		authenticator = await addAuthenticator(page);
		await enrolByLetter(page, await letterCodeFor(person.atena), person.birthDate);
		await signOut(page);
		account = await accountOf(person.atena);
	});

	test('a replayed assertion', async () => {
		const since = new Date();
		let body: string | null = null;
		page.on('request', (request) => {
			if (request.url().endsWith('/auth/sign-in/verify')) body = request.postData();
		});
		await signIn(page);
		expect(body).not.toBeNull();
		const replay = await page.request.post('/auth/sign-in/verify', {
			data: body!,
			headers: { 'content-type': 'application/json', origin: 'http://localhost:4173' }
		});
		expect(replay.status()).toBe(400);
		expect(await replay.json()).toEqual({
			message: expect.stringContaining('本人確認ができませんでした')
		});
		await expectDenied('auth.sign_in', 'challenge_unknown', since);
	});

	test('an expired challenge', async () => {
		const since = new Date();
		// Move the challenge's clock past its five minutes just before the answer arrives.
		// Only this answer's challenge: other tests run alongside.
		await page.route('**/auth/sign-in/verify', async (route) => {
			const body = route.request().postDataJSON() as { response: { clientDataJSON: string } };
			const { challenge } = JSON.parse(
				Buffer.from(body.response.clientDataJSON, 'base64url').toString('utf8')
			) as { challenge: string };
			// A resident's challenges are the portal zone's own.
			await sql`UPDATE webauthn_challenge SET expires_at = now() - interval '1 second'
				WHERE challenge = ${challenge}`.execute(portalZoneDatabase());
			await route.continue();
		});
		await signInFails(page);
		await expectDenied('auth.sign_in', 'challenge_expired', since);
	});

	test('an assertion made on another origin', async () => {
		const since = new Date();
		await page.goto('/sign-in'); // sets the ceremony cookie for localhost
		const options = await signInOptions(page);
		// The portal-only server is another origin with the same RP ID (localhost).
		await page.goto('http://localhost:4174/sign-in');
		const assertion = await rawAssertion(page, {
			challenge: options.challenge,
			rpId: 'localhost',
			userVerification: 'required'
		});
		const response = await page.request.post('/auth/sign-in/verify', {
			data: assertion,
			headers: { origin: 'http://localhost:4173' }
		});
		expect(response.status()).toBe(400);
		await expectDenied('auth.sign_in', 'origin', since, account);
	});

	test('an assertion without user verification', async () => {
		const since = new Date();
		await authenticator.setUserVerified(false);
		// Through the page, the browser itself refuses: UV is required and cannot be given.
		await page.goto('/sign-in');
		await page.getByRole('button', { name: 'パスキーでサインイン' }).click();
		await expect(page.getByTestId('ceremony-message')).not.toBeEmpty();
		await expect(page).toHaveURL(/\/sign-in$/);
		// A client that asks the authenticator for no UV gets a signature the server refuses.
		await page.goto('/sign-in');
		const options = await signInOptions(page);
		const assertion = await rawAssertion(page, {
			challenge: options.challenge,
			rpId: 'localhost',
			userVerification: 'discouraged'
		});
		const response = await page.request.post('/auth/sign-in/verify', {
			data: assertion,
			headers: { origin: 'http://localhost:4173' }
		});
		expect(response.status()).toBe(400);
		await expectDenied('auth.sign_in', 'user_verification', since, account);
	});

	test('a counter that goes backwards (a cloned key)', async () => {
		const since = new Date();
		await signIn(page);
		await signOut(page);
		await signIn(page);
		await signOut(page);
		const [credential] = await authenticator.credentials();
		expect(credential!.signCount).toBeGreaterThanOrEqual(2);
		await authenticator.removeCredential(credential!.credentialId);
		await authenticator.addCredential({ ...credential!, signCount: 0 });
		await signInFails(page);
		await expectDenied('auth.sign_in', 'counter_regression', since, account);
		// The portal reports the flag; the back office records it and tells the resident.
		await expect
			.poll(async () => (await auditEntries('auth.credential_flag', since)).length)
			.toBe(1);
		const notices = await serverDatabase()
			.selectFrom('resident_notice')
			.select('kind')
			.where('resident_account_id', '=', account)
			.orderBy('created_at')
			.execute();
		expect(notices.map((notice) => notice.kind)).toEqual(['passkey_added', 'passkey_flagged']);
		// Flagged: even the genuine counter no longer works until the person re-enrols.
		await signInFails(page);
		await expectDenied('auth.sign_in', 'credential_flagged', since, account);
	});

	test('a credential the site has never seen', async () => {
		const since = new Date();
		const [credential] = await authenticator.credentials();
		await authenticator.removeCredential(credential!.credentialId);
		await authenticator.addCredential(strangerCredential());
		await signInFails(page);
		const row = await expectDenied('auth.sign_in', 'credential_unknown', since);
		expect(row.actor_type).toBe('anonymous');
	});

	test('malformed WebAuthn JSON gets a generic 400, not a stack trace', async () => {
		const since = new Date();
		for (const data of ['{"id":', '{"id":"x","response":{}}', '[]', 'null']) {
			const response = await page.request.post('/auth/sign-in/verify', {
				data,
				headers: { 'content-type': 'application/json', origin: 'http://localhost:4173' }
			});
			expect(response.status(), data).toBe(400);
			const text = await response.text();
			expect(text).not.toMatch(/at \w+ \(|Error:|expected/);
		}
		// (Other tests run alongside; only this one sends malformed bodies.)
		const malformed = async () =>
			(await auditEntries('auth.sign_in', since)).filter((row) => row.reason === 'malformed');
		await expect.poll(async () => (await malformed()).length).toBe(4);
		const entries = await malformed();
		expect(entries.every((row) => row.result === 'denied' && row.actor_type === 'anonymous')).toBe(
			true
		);
	});
});

test('a signed consent verifies from the database alone, and not after one byte changes', async ({
	page
}) => {
	const since = new Date();
	const person = await freshResident();
	await addAuthenticator(page);
	await enrolByLetter(page, await letterCodeFor(person.atena), person.birthDate);
	await page.getByRole('button', { name: 'パスキーで署名して同意する' }).click();
	await expect(page.getByTestId('consent-status')).toContainText('署名して同意しました');
	const act = await serverDatabase()
		.selectFrom('signed_act')
		.innerJoin('resident_account', 'resident_account.id', 'signed_act.resident_account_id')
		.select(['signed_act.id', 'signed_act.payload'])
		.where('resident_account.atena_number', '=', person.atena)
		.executeTakeFirstOrThrow();
	expect(JSON.parse(act.payload).statement).toBe('electronic_notices');
	expect(await reverifySignedAct(serverDatabase(), act.id)).toMatchObject({ valid: true });

	const tampered = act.payload.replace('electronic_notices', 'electronic_noticez');
	await serverDatabase()
		.updateTable('signed_act')
		.set({ payload: tampered })
		.where('id', '=', act.id)
		.execute();
	expect(await reverifySignedAct(serverDatabase(), act.id)).toMatchObject({ valid: false });
	await serverDatabase()
		.updateTable('signed_act')
		.set({ payload: act.payload })
		.where('id', '=', act.id)
		.execute();
	expect(await reverifySignedAct(serverDatabase(), act.id)).toMatchObject({ valid: true });
	expect(
		(await auditEntries('auth.sign', since)).filter((row) => row.result === 'ok')
	).toHaveLength(1);

	// Signing needs a session: without one, the endpoint refuses.
	const anonymous = await page.request.post('/auth/sign/options', {
		data: { kind: 'consent', payload: {} },
		headers: { origin: 'http://localhost:4173', cookie: '' }
	});
	expect([401, 403]).toContain(anonymous.status());
});

test('idle and absolute timeouts end the session on the server', async ({ page }) => {
	const since = new Date();
	const person = await freshResident();
	await addAuthenticator(page);
	await enrolByLetter(page, await letterCodeFor(person.atena), person.birthDate);
	const account = await serverDatabase()
		.selectFrom('resident_account')
		.select('id')
		.where('atena_number', '=', person.atena)
		.executeTakeFirstOrThrow();
	const moveClock = (column: 'last_active_at' | 'created_at', interval: string) =>
		sql`UPDATE resident_session SET ${sql.ref(column)} = ${sql.ref(column)} - ${interval}::interval
			WHERE resident_account_id = ${account.id}`.execute(portalZoneDatabase());

	// 29 minutes idle: still signed in (and the activity moves the idle timer).
	await moveClock('last_active_at', '29 minutes');
	await page.goto('/home');
	await expect(page).toHaveURL(/\/home$/);
	// 31 minutes idle: signed out, told why, sent back after signing in.
	await moveClock('last_active_at', '31 minutes');
	await page.goto('/account/passkeys');
	await expect(page).toHaveURL(/\/sign-in\?next=%2Faccount%2Fpasskeys&ended=idle$/);
	await expect(page.getByRole('status')).toContainText('一定時間操作がなかったため');
	await page.getByRole('button', { name: 'パスキーでサインイン' }).click();
	await expect(page).toHaveURL(/\/account\/passkeys$/);

	// Active all along but signed in 12 hours ago: signed out.
	await moveClock('created_at', '12 hours');
	await page.goto('/home');
	await expect(page).toHaveURL(/ended=absolute$/);
	await expect.poll(async () => (await auditEntries('auth.session_timeout', since)).length).toBe(2);
});

test('sign-in and enrolment pages exist in English too, and pass axe in both languages', async ({
	page,
	context
}) => {
	for (const path of ['/sign-in', '/enrol', '/staff/sign-in']) {
		await page.goto(path);
		await expect(page.locator('html')).toHaveAttribute('lang', 'ja');
		expect(await new AxeBuilder({ page }).analyze().then((r) => r.violations), path).toEqual([]);
	}
	await context.addCookies([
		{ name: 'PARAGLIDE_LOCALE', value: 'en', url: 'http://localhost:4173' }
	]);
	await page.goto('/sign-in');
	await expect(page.locator('html')).toHaveAttribute('lang', 'en');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in');
	await expect(page.getByRole('button', { name: 'Sign in with a passkey' })).toBeVisible();
	await page.goto('/enrol');
	await expect(page.getByLabel('Enrolment code')).toBeVisible();
	await page.getByLabel('Enrolment code').fill('NOT-A-CODE');
	await page.getByLabel('Date of birth').fill('1990-01-01');
	await page.getByRole('button', { name: 'Continue' }).click();
	await expect(page.getByRole('alert')).toContainText(
		'The enrolment code or date of birth is not correct'
	);
	expect(await new AxeBuilder({ page }).analyze().then((r) => r.violations)).toEqual([]);
});

test('what a person types before the page has loaded its scripts is kept', async ({ page }) => {
	// Hold the app's scripts back, as a slow phone network would, while the person types.
	let release!: () => void;
	const held = new Promise<void>((resolve) => (release = resolve));
	await page.route('**/_app/immutable/**/*.js', async (route) => {
		await held;
		await route.continue();
	});
	await page.goto('/enrol', { waitUntil: 'domcontentloaded' });
	await page.getByLabel('登録コード').fill('ABCD-EFGH-JKMN-PQRS');
	await page.getByLabel('生年月日').fill('1990-01-01');
	release();
	await page.waitForLoadState('networkidle');
	await expect(page.getByLabel('登録コード')).toHaveValue('ABCD-EFGH-JKMN-PQRS');
	await expect(page.getByLabel('生年月日')).toHaveValue('1990-01-01');
});
