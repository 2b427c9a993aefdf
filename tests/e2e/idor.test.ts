// Every resident route that takes an id, tried by another resident with the first one's ids:
// nothing is shown or changed (404, or 401 without a session), and the attempt is audited.
import { expect, test } from '@playwright/test';
import { accountOf, auditEntries, enrolResident, freshResident, serverDatabase } from './support';

test("another resident's ids show nothing and change nothing", async ({ browser }) => {
	const since = new Date();
	const owner = await (await browser.newContext({ locale: 'ja-JP' })).newPage();
	const a = await freshResident();
	await enrolResident(owner, a.atena, a.birthDate);
	// The owner's person reference and a draft application.
	const personHref = (await owner
		.getByTestId('household')
		.getByRole('link')
		.first()
		.getAttribute('href'))!;
	await owner.goto('/apply/reissue');
	await owner.getByRole('button', { name: '申請を始める' }).click();
	const applicationId = owner.url().split('/').at(-2)!;

	const intruder = await (await browser.newContext({ locale: 'ja-JP' })).newPage();
	const b = await freshResident();
	await enrolResident(intruder, b.atena, b.birthDate);
	const pages = [
		personHref,
		`${personHref}/access`,
		`/applications/${applicationId}`,
		...['person', 'dose', 'reason', 'delivery', 'check'].map(
			(step) => `/applications/${applicationId}/${step}`
		)
	];
	for (const path of pages) {
		const response = await intruder.goto(path);
		expect(response?.status(), path).toBe(404);
		expect(await intruder.content(), path).not.toContain(a.name);
	}
	const json = { 'content-type': 'application/json', origin: 'http://localhost:4173' };
	for (const path of ['submit/options', 'submit/verify', 'withdraw/options', 'withdraw/verify']) {
		const response = await intruder.request.post(`/applications/${applicationId}/${path}`, {
			data: {},
			headers: json
		});
		expect(response.status(), path).toBe(404);
	}
	const form = { origin: 'http://localhost:4173' };
	const post = await intruder.request.post(`/applications/${applicationId}/person?/answer`, {
		form: { person: personHref.split('/').pop()! },
		headers: form,
		maxRedirects: 0
	});
	expect(post.status()).toBe(404);
	const draft = await serverDatabase()
		.selectFrom('application')
		.select(['draft', 'status'])
		.where('id', '=', applicationId)
		.executeTakeFirstOrThrow();
	expect(draft).toMatchObject({ draft: {}, status: 'draft' });

	const intruderAccount = await accountOf(b.atena);
	const denied = [
		...(await auditEntries('vaccination.view', since, intruderAccount)),
		...(await auditEntries('audit.view', since, intruderAccount)),
		...(await auditEntries('application.view', since, intruderAccount))
	].filter((row) => row.result === 'denied');
	expect(denied.length).toBeGreaterThanOrEqual(pages.length + 5);

	// Without a session at all: sign-in, not data.
	const anonymous = await (await browser.newContext()).newPage();
	for (const path of pages) {
		await anonymous.goto(path);
		await expect(anonymous, path).toHaveURL(/\/sign-in\?next=/);
	}
});
