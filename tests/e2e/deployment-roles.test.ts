// APP_ROLE decides which realms exist: the internet-facing portal has no staff routes at all, and
// the back office on the staff network has no resident routes.
import { expect, test } from '@playwright/test';
import { baseUrlFor } from '../../playwright.config';

test('the combined demo serves the portal and refuses the back office without a session', async ({
	page
}) => {
	await page.goto(`${baseUrlFor('all')}/staff`);
	await expect(page).toHaveURL(/\/staff\/sign-in\?next=%2Fstaff$/);
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('職員サインイン');
	const api = await page.request.get(`${baseUrlFor('all')}/staff/admin/users`, {
		headers: { accept: 'application/json' }
	});
	expect(api.status()).toBe(401);
	// The combined demo's back office pulls from its own portal, through the signed exchange.
	const health = await (await page.request.get(`${baseUrlFor('all')}/healthz`)).json();
	expect(health).toMatchObject({ appRole: 'all', exchange: 'ok' });
});

test('the portal has no staff routes', async ({ request }) => {
	for (const path of ['/staff', '/staff/queues', '/staff/anything/deeper']) {
		const response = await request.get(`${baseUrlFor('portal')}${path}`);
		expect(response.status(), path).toBe(404);
		expect(await response.text(), path).not.toContain('職員用業務システム');
	}
	const landing = await request.get(`${baseUrlFor('portal')}/`);
	expect(landing.status()).toBe(200);
	expect(await landing.text()).not.toContain('href="/staff"');
	const health = await (await request.get(`${baseUrlFor('portal')}/healthz`)).json();
	expect(health.appRole).toBe('portal');
	expect(health).not.toHaveProperty('auditCheckpoints'); // the portal writes none
	// Its exchange answers only the back office's signed requests (issue 27).
	const unsigned = await request.get(`${baseUrlFor('portal')}/exchange/v1/items`);
	expect(unsigned.status()).toBe(401);
});

test('the back office has no resident routes and sends / to the staff area', async ({
	request
}) => {
	const root = await request.get(`${baseUrlFor('backoffice')}/`, { maxRedirects: 0 });
	expect(root.status()).toBe(303);
	expect(root.headers()['location']).toBe('/staff');
	const staff = await request.get(`${baseUrlFor('backoffice')}/staff`);
	expect(staff.status()).toBe(401);
	const health = await (await request.get(`${baseUrlFor('backoffice')}/healthz`)).json();
	// The back office writes signed audit checkpoints and says whether it does (issue 24, item 2).
	expect(health).toMatchObject({ appRole: 'backoffice', status: 'ok', auditCheckpoints: 'ok' });
	// The exchange is the portal's: the back office has no such endpoint, only the pull.
	const exchange = await request.get(`${baseUrlFor('backoffice')}/exchange/v1/items`);
	expect(exchange.status()).toBe(404);
});
