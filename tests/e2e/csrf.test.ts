// Cross-site request forgery (ASVS 3.5.1): a page on another site cannot make a signed-in
// resident's browser start an application, sign out, or begin a passkey ceremony. Three layers are
// tried one at a time: SvelteKit's origin check on form posts (with the session cookie sent, so the
// check itself is what refuses), the session cookie's SameSite attribute, and the absence of any
// CORS answer for the JSON ceremony endpoints.
import { expect, test, type BrowserContext } from '@playwright/test';
import { accountOf, enrolResident, freshResident, serverDatabase } from './support';

const attacker = 'http://attacker.test';

async function drafts(accountId: string): Promise<number> {
	const row = await serverDatabase()
		.selectFrom('application')
		.select((eb) => eb.fn.countAll<string>().as('count'))
		.where('applicant_account_id', '=', accountId)
		.executeTakeFirstOrThrow();
	return Number(row.count);
}

async function signedInResident(context: BrowserContext) {
	const page = await context.newPage();
	const resident = await freshResident();
	await enrolResident(page, resident.atena, resident.birthDate);
	return { page, accountId: await accountOf(resident.atena) };
}

test('a form post from another site is refused, even with the session cookie', async ({
	browser,
	baseURL
}) => {
	const context = await browser.newContext({ locale: 'ja-JP' });
	const { accountId } = await signedInResident(context);
	const startKey = crypto.randomUUID();
	const start = (origin?: string) =>
		context.request.post('/apply/certificate', {
			form: { start_key: startKey },
			// As a browser's form post: text/html, or SvelteKit answers the action in JSON.
			headers: { accept: 'text/html', ...(origin ? { origin } : {}) },
			maxRedirects: 0
		});

	// context.request sends the browser's cookies whatever the site: only the origin check stands.
	const crossSite = await start(attacker);
	expect(crossSite.status()).toBe(403);
	expect(await crossSite.text()).toContain('Cross-site');
	const signOut = await context.request.post('/sign-out', {
		form: { everywhere: '1' },
		headers: { origin: attacker },
		maxRedirects: 0
	});
	expect(signOut.status()).toBe(403);
	expect(await drafts(accountId)).toBe(0);

	// The same post from the portal's own origin is served: the refusal was the origin's doing.
	const sameSite = await start(baseURL);
	expect(sameSite.status()).toBe(303);
	expect(await drafts(accountId)).toBe(1);
	// And the session survived the forged sign-out.
	const home = await context.request.get('/home', { maxRedirects: 0 });
	expect(home.status()).toBe(200);
	await context.close();
});

test("a page on another site cannot act with a signed-in resident's session", async ({
	browser,
	baseURL
}) => {
	const context = await browser.newContext({ locale: 'ja-JP' });
	const { page, accountId } = await signedInResident(context);

	const session = (await context.cookies(baseURL)).find((cookie) => cookie.httpOnly);
	expect(session?.sameSite).toBe('Lax');

	// The attacker's page auto-submits a start form to the portal, as a top-level navigation.
	await page.route(`${attacker}/prize`, (route) =>
		route.fulfill({
			contentType: 'text/html',
			body: `<!doctype html><title>prize</title>
				<form id="f" method="post" action="${baseURL}/apply/certificate">
					<input type="hidden" name="start_key" value="${crypto.randomUUID()}">
				</form>
				<script>document.getElementById('f').submit()</script>`
		})
	);
	await page.route(`${attacker}/quiet`, (route) =>
		route.fulfill({ contentType: 'text/html', body: '<!doctype html><title>quiet</title>' })
	);
	const forged = page.waitForResponse(
		(response) =>
			response.url() === `${baseURL}/apply/certificate` && response.request().method() === 'POST'
	);
	await page.goto(`${attacker}/prize`);
	expect((await forged).status()).toBe(403);
	expect(await drafts(accountId)).toBe(0);

	// A script on that page cannot read or send a JSON ceremony: no CORS answer lets it through.
	await page.goto(`${attacker}/quiet`);
	const outcome = await page.evaluate(async (url) => {
		try {
			const response = await fetch(url, {
				method: 'POST',
				credentials: 'include',
				headers: { 'content-type': 'application/json' },
				body: '{}'
			});
			return `answered ${response.status}`;
		} catch {
			return 'blocked';
		}
	}, `${baseURL}/requests/sign/options`);
	expect(outcome).toBe('blocked');
	const preflight = await context.request.fetch('/requests/sign/options', {
		method: 'OPTIONS',
		headers: { origin: attacker, 'access-control-request-method': 'POST' }
	});
	expect(preflight.headers()['access-control-allow-origin']).toBeUndefined();
	// Sent as a "simple" text/plain post instead, it meets the origin check.
	const simple = await context.request.post('/requests/sign/options', {
		headers: { origin: attacker, 'content-type': 'text/plain' },
		data: '{}'
	});
	expect(simple.status()).toBe(403);
	await context.close();
});
