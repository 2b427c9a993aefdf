// Notices and their e-mails against a real PostgreSQL and real nodemailer transports: queued with
// the notice (and only with it), free of personal data, sent once, kept and retried on failure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import nodemailer from 'nodemailer';
import { ensureResidentAccount } from '../../src/lib/server/auth/credentials';
import { notify } from '../../src/lib/server/notifications/notices';
import { deliverPending } from '../../src/lib/server/notifications/email';
import { freshDatabase, type TestDatabase } from '../support/database';
import { insertTestMunicipality, insertTestResident } from '../support/fixtures';

const city = '139998';
let database: TestDatabase;

beforeAll(async () => {
	database = await freshDatabase();
	await insertTestMunicipality(database.owner, city);
	await insertTestResident(database.owner, city, '301');
	await insertTestResident(database.owner, city, '302');
	await database.owner
		.updateTable('resident')
		.set({ email: 'taro@mail.example' })
		.where('atena_number', '=', '301')
		.execute();
});
afterAll(() => database.close());

describe('notice e-mails', () => {
	it('are queued with the notice, name no one, and go out once', async () => {
		const now = new Date();
		const withMail = await ensureResidentAccount(database.portal, {
			municipalityCode: city,
			atenaNumber: '301',
			now
		});
		const withoutMail = await ensureResidentAccount(database.portal, {
			municipalityCode: city,
			atenaNumber: '302',
			now
		});
		await database.portal.transaction().execute(async (trx) => {
			await notify(trx, {
				municipalityCode: city,
				accountId: withMail.id,
				kind: 'passkey_added',
				portalUrl: 'https://portal.example/sign-in',
				now
			});
			await notify(trx, {
				municipalityCode: city,
				accountId: withoutMail.id,
				kind: 'passkey_added',
				portalUrl: 'https://portal.example/sign-in',
				now
			});
		});
		// A notice whose transaction rolls back leaves no e-mail behind.
		await expect(
			database.portal.transaction().execute(async (trx) => {
				await notify(trx, {
					municipalityCode: city,
					accountId: withMail.id,
					kind: 'passkey_revoked',
					portalUrl: 'https://portal.example/sign-in',
					now
				});
				throw new Error('rolled back');
			})
		).rejects.toThrow('rolled back');

		const queued = await database.owner.selectFrom('email_outbox').selectAll().execute();
		expect(queued).toHaveLength(1);
		expect(queued[0]!.to_address).toBe('taro@mail.example');
		expect(queued[0]!.body).toContain('https://portal.example/sign-in');
		for (const text of [queued[0]!.subject, queued[0]!.body]) {
			expect(text).not.toMatch(/試験|太郎|301|taro/);
		}

		const transport = nodemailer.createTransport({ jsonTransport: true });
		expect(await deliverPending(database.backoffice, transport, 'portal@city.example')).toEqual({
			sent: 1,
			failed: 0
		});
		expect(await deliverPending(database.backoffice, transport, 'portal@city.example')).toEqual({
			sent: 0,
			failed: 0
		});
		const sent = await database.owner
			.selectFrom('email_outbox')
			.select(['sent_at', 'attempts'])
			.executeTakeFirstOrThrow();
		expect(sent.sent_at).not.toBeNull();
		expect(sent.attempts).toBe(1);

		// The notice itself stays (the rolled-back one does not); the portal shows it from the
		// projection (tests/integration/projection.test.ts).
		const notices = await database.owner
			.selectFrom('resident_notice')
			.select('kind')
			.where('resident_account_id', '=', withMail.id)
			.execute();
		expect(notices.map((notice) => notice.kind)).toEqual(['passkey_added']);
	});

	it('stay in the outbox when the mail server fails, and are retried', async () => {
		const now = new Date();
		const account = await ensureResidentAccount(database.portal, {
			municipalityCode: city,
			atenaNumber: '301',
			now
		});
		await notify(database.portal, {
			municipalityCode: city,
			accountId: account.id,
			kind: 'passkey_revoked',
			portalUrl: 'https://portal.example/sign-in',
			now
		});
		const down = nodemailer.createTransport({
			name: 'down',
			version: '1',
			send: (_mail: unknown, callback: (error: Error | null) => void) =>
				callback(new Error('connection refused'))
		} as never);
		expect(await deliverPending(database.backoffice, down, 'portal@city.example')).toEqual({
			sent: 0,
			failed: 1
		});
		const pending = await database.owner
			.selectFrom('email_outbox')
			.select(['attempts', 'last_error', 'sent_at'])
			.where('sent_at', 'is', null)
			.executeTakeFirstOrThrow();
		expect(pending).toMatchObject({ attempts: 1, last_error: 'connection refused', sent_at: null });
		const up = nodemailer.createTransport({ jsonTransport: true });
		expect(await deliverPending(database.backoffice, up, 'portal@city.example')).toEqual({
			sent: 1,
			failed: 0
		});
	});
});
