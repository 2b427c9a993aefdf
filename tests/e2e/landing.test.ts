import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

test.describe('public landing page', () => {
	test('is in Japanese first and switches to English and back', async ({ page }) => {
		await page.goto('/');
		await expect(page.locator('html')).toHaveAttribute('lang', 'ja');
		await expect(page.getByRole('heading', { level: 1 })).toHaveText(
			'さくら台市の予防接種の手続き'
		);
		await expect(page.getByRole('heading', { name: '英文予防接種証明書' })).toBeVisible();
		await expect(page.getByText('042-000-1111')).toBeVisible();

		await page.getByRole('button', { name: 'Switch to English' }).click();
		await expect(page.locator('html')).toHaveAttribute('lang', 'en');
		await expect(page.getByRole('heading', { level: 1 })).toHaveText(
			'Sakuradai City vaccination services'
		);
		await expect(
			page.getByRole('heading', { name: 'English vaccination certificate' })
		).toBeVisible();

		await page.reload();
		await expect(page.locator('html')).toHaveAttribute('lang', 'en');
		await page.getByRole('button', { name: '日本語に切り替える' }).click();
		await expect(page.locator('html')).toHaveAttribute('lang', 'ja');
	});

	test('switches language without JavaScript', async ({ browser }) => {
		const context = await browser.newContext({ javaScriptEnabled: false });
		const page = await context.newPage();
		await page.goto('/');
		await page.getByRole('button', { name: 'Switch to English' }).click();
		await expect(page.getByRole('heading', { level: 1 })).toHaveText(
			'Sakuradai City vaccination services'
		);
		await context.close();
	});

	test('follows the browser language when no choice was made', async ({ browser }) => {
		const context = await browser.newContext({ locale: 'en-US' });
		const page = await context.newPage();
		await page.goto('/');
		await expect(page.locator('html')).toHaveAttribute('lang', 'en');
		await context.close();
	});

	test('has no accessibility violations in either language', async ({ page }) => {
		for (const button of [null, 'Switch to English']) {
			await page.goto('/');
			if (button) await page.getByRole('button', { name: button }).click();
			await expect(page.locator('h1')).toBeVisible();
			const results = await new AxeBuilder({ page })
				.withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
				.analyze();
			expect(results.violations.map((violation) => `${violation.id}: ${violation.help}`)).toEqual(
				[]
			);
		}
	});

	test('loads nothing from another origin', async ({ page, baseURL }) => {
		const origins = new Set<string>();
		page.on('request', (request) => origins.add(new URL(request.url()).origin));
		await page.goto('/');
		await page.getByRole('button', { name: 'Switch to English' }).click();
		await expect(page.locator('html')).toHaveAttribute('lang', 'en');
		expect([...origins]).toEqual([new URL(baseURL!).origin]);
	});
});

test.describe('security headers', () => {
	test('every page sends a strict CSP, no-store and framing protection', async ({ request }) => {
		for (const path of ['/', '/staff', '/no-such-page']) {
			const response = await request.get(path);
			const headers = response.headers();
			expect(headers['cache-control'], path).toBe('no-store');
			expect(headers['x-frame-options'], path).toBe('DENY');
			expect(headers['referrer-policy'], path).toBe('same-origin');
			expect(headers['x-content-type-options'], path).toBe('nosniff');
			expect(headers['x-request-id'], path).toMatch(/^[0-9a-f-]{36}$/);
			const csp = headers['content-security-policy'] ?? '';
			expect(csp, path).toContain("frame-ancestors 'none'");
			expect(csp, path).not.toContain('unsafe-inline');
			expect(csp, path).not.toContain('unsafe-eval');
			// HSTS is for real hosts only, so local development over http keeps working.
			expect(headers['strict-transport-security'], path).toBeUndefined();
		}
	});

	test('runs no inline script without the response nonce', async ({ page }) => {
		const response = await page.goto('/');
		const nonce = /'nonce-([^']+)'/.exec(response!.headers()['content-security-policy'] ?? '')?.[1];
		expect(nonce).toBeTruthy();
		const inline = await page
			.locator('script:not([src])')
			.evaluateAll((scripts) => scripts.map((script) => (script as HTMLScriptElement).nonce));
		expect(inline.length).toBeGreaterThan(0);
		for (const scriptNonce of inline) expect(scriptNonce).toBe(nonce);
	});

	test('breaks no CSP rule of its own, and the route announcer stays hidden', async ({ page }) => {
		// SvelteKit's route announcer carries a style attribute; the CSP allows exactly that one by
		// its hash (svelte.config.js). No page may log a refusal, the sign-in pages included.
		const announcerStyle = /id="svelte-announcer"[^>]*style="([^"]+)"/.exec(
			readFileSync('.svelte-kit/generated/root.svelte', 'utf8')
		)![1]!;
		const announcerHash = createHash('sha256').update(announcerStyle).digest('base64');
		expect(readFileSync('svelte.config.js', 'utf8')).toContain(`sha256-${announcerHash}`);
		const violations: string[] = [];
		page.on('console', (message) => {
			if (/Content Security Policy/.test(message.text())) violations.push(message.text());
		});
		for (const path of ['/sign-in', '/enrol', '/staff/sign-in']) {
			await page.goto(path);
			await page.waitForLoadState('networkidle');
		}
		await page.goto('/');
		// A client-side navigation: the announcer then reads out the new page's title.
		await page.locator('#svelte-announcer').waitFor({ state: 'attached' });
		await page.getByRole('link', { name: 'パスキーでサインイン' }).click();
		await expect(page).toHaveURL(/\/sign-in$/);
		await expect(page.locator('#svelte-announcer')).not.toBeEmpty();
		const box = await page.locator('#svelte-announcer').boundingBox();
		expect(box?.width ?? 0).toBeLessThanOrEqual(1);
		expect(box?.height ?? 0).toBeLessThanOrEqual(1);
		expect(violations).toEqual([]);
	});

	test('refuses an open redirect through the language switch', async ({ request }) => {
		const response = await request.post('/language', {
			form: { locale: 'en', redirect: '//evil.example/' },
			maxRedirects: 0,
			headers: { origin: new URL(test.info().project.use.baseURL!).origin }
		});
		expect(response.status()).toBe(303);
		expect(response.headers()['location']).toBe('/');
	});
});

test('a large body from someone not signed in is refused before it is read (issue 24, item 7)', async ({
	request,
	baseURL
}) => {
	const large = 'a='.padEnd(2 * 1024 * 1024, 'x');
	for (const path of ['/sign-in', '/enrol', '/']) {
		const response = await request.post(path, {
			data: large,
			headers: {
				'content-type': 'application/x-www-form-urlencoded',
				origin: baseURL!,
				accept: 'application/json'
			}
		});
		expect(response.status(), path).toBe(413);
		expect((await response.json()).message).toBe(
			'送信されたデータが大きすぎます（256 KBまで）。ファイルは申請の添付ファイルの画面から送ってください。'
		);
	}
	// A form of ordinary size still reaches its page.
	const small = await request.post('/enrol', {
		form: { code: 'x' },
		headers: { origin: baseURL! },
		maxRedirects: 0
	});
	expect(small.status()).not.toBe(413);
});
