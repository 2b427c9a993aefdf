// A city may accept only certain authenticators (as the My Number Card is one specific one):
// attestation 'direct' with an AAGUID allow-list. Run on the portal and back office as two
// processes (the portal checks the passkey first, the back office confirms it, issue 27), whose
// database no other test changes.
import { expect, test, type Page } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { issueLetterCode } from '../../src/lib/server/auth/enrolment';
import { baseUrlFor } from '../../playwright.config';
import { sql } from 'kysely';
import { addAuthenticator, portalZoneDatabase, serverDatabase } from './support';

const portal = baseUrlFor('portal');
const db = () => serverDatabase('portal');

async function enrol(page: Page): Promise<string> {
	const person = await db()
		.selectFrom('resident')
		.select(['atena_number', 'birth_date'])
		.where('status', '=', 'resident')
		.where('birth_date', '<', '2000-01-01')
		.where((eb) =>
			eb.not(
				eb.exists(
					eb
						.selectFrom('enrolment')
						.select('enrolment.id')
						.whereRef('enrolment.atena_number', '=', 'resident.atena_number')
				)
			)
		)
		.orderBy('atena_number')
		.executeTakeFirstOrThrow();
	const { code } = await issueLetterCode(db(), {
		municipalityCode: '139998',
		atenaNumber: person.atena_number,
		issuedBy: null,
		now: new Date()
	});
	await page.goto(`${portal}/enrol`);
	await page.getByLabel('登録コード').fill(code);
	await page.getByLabel('生年月日').fill(person.birth_date);
	await page.getByRole('button', { name: '次へ進む' }).click();
	await page.getByRole('button', { name: 'パスキーを登録する' }).click();
	// Either way the ceremony ends: on the home page, or with a message.
	await expect
		.poll(
			async () =>
				page.url().includes('/home') ||
				Boolean((await page.getByTestId('ceremony-message').textContent())?.trim())
		)
		.toBe(true);
	return person.atena_number;
}

/** The city's policy changed, and published: the portal checks a passkey against it first. */
async function setPolicy(attestation: 'none' | 'direct', allowlist: string[]) {
	await db()
		.updateTable('municipality')
		.set({ passkey_attestation: attestation, passkey_aaguid_allowlist: allowlist })
		.execute();
	await expect
		.poll(async () => {
			const { rows } = await sql<{ attestation: string; allowlist: string[] }>`
				SELECT body->>'passkey_attestation' AS attestation,
					ARRAY(SELECT jsonb_array_elements_text(body->'passkey_aaguid_allowlist')) AS allowlist
				FROM projection WHERE topic = 'city'`.execute(portalZoneDatabase('portal'));
			return rows[0];
		})
		.toEqual({ attestation, allowlist });
}

test('with attestation required, only authenticators on the allow-list can register', async ({
	browser
}) => {
	test.slow();
	try {
		// Any attested authenticator while the list is empty.
		await setPolicy('direct', []);
		const first = await (await browser.newContext({ locale: 'ja-JP' })).newPage();
		await addAuthenticator(first);
		const atena = await enrol(first);
		await expect(first).toHaveURL(/\/home\?welcome=1$/);
		const stored = await db()
			.selectFrom('webauthn_credential')
			.innerJoin(
				'resident_account',
				'resident_account.id',
				'webauthn_credential.resident_account_id'
			)
			.select(['webauthn_credential.aaguid', 'webauthn_credential.attestation_format'])
			.where('resident_account.atena_number', '=', atena)
			.executeTakeFirstOrThrow();
		expect(stored.attestation_format).not.toBe('none');

		// Another model only: this authenticator is refused.
		await setPolicy('direct', [randomUUID()]);
		const second = await (await browser.newContext({ locale: 'ja-JP' })).newPage();
		await addAuthenticator(second);
		await enrol(second);
		await expect(second.getByTestId('ceremony-message')).toContainText(
			'本人確認ができませんでした'
		);
		// Refused on the portal, which reports it; the back office appends it when taken in.
		const latestRefusal = () =>
			db()
				.selectFrom('audit.entry')
				.innerJoin('audit.payload', (join) =>
					join
						.onRef('audit.payload.seq', '=', 'audit.entry.seq')
						.onRef('audit.payload.municipality_code', '=', 'audit.entry.municipality_code')
				)
				.select('audit.payload.payload')
				.where('audit.entry.action', '=', 'auth.register')
				.where('audit.entry.result', '=', 'denied')
				.orderBy('audit.entry.seq', 'desc')
				.executeTakeFirst();
		await expect
			.poll(async () => (await latestRefusal())?.payload)
			.toMatchObject({ reason: 'attestation' });

		// Its model on the list: accepted.
		await setPolicy('direct', [stored.aaguid]);
		await second.getByRole('button', { name: 'パスキーを登録する' }).click();
		await expect(second).toHaveURL(/\/home\?welcome=1$/);
	} finally {
		await setPolicy('none', []);
	}
});
