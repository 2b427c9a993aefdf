// A resident's sign-in on the portal zone (issue 27, docs/zones.md): the portal verifies an
// assertion against the passkey the back office confirmed and published, with its own challenges,
// rate limits and counter, and without a connection to the back office's database; what it cannot
// decide alone (a counter that went backwards) it stops at once and reports, and the back office
// records it, tells the resident and publishes it. What the portal reports is checked inside: a
// flag, an event, a revocation or a name for another account's passkey is refused. A resident's own
// revocation stops the passkey on the portal at once and is carried out inside.
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeCredential } from '../../src/lib/server/auth/credentials';
import type { AuthFailure } from '../../src/lib/server/auth/failures';
import {
	addPasskeyOptions,
	confirmationOptions,
	ownPasskeys,
	renamePasskey,
	revokePasskey
} from '../../src/lib/server/auth/passkeys';
import { reportAuthEvent } from '../../src/lib/server/auth/reported';
import { createSessionManager } from '../../src/lib/server/auth/sessions';
import { portalStore } from '../../src/lib/server/auth/stores';
import { sha256 } from '../../src/lib/server/auth/tokens';
import { verifySigning } from '../../src/lib/server/auth/signing';
import { addPasskeyChallenge } from '../../src/lib/server/auth/registration';
import { storeChallenge, verifyAssertion } from '../../src/lib/server/auth/webauthn';
import { sendSignedAct } from '../../src/lib/server/exchange/portal';
import { addItem } from '../../src/lib/server/zone/items';
import { credentialKeyOf, projectedCredential } from '../../src/lib/server/zone/projection';
import {
	freshDatabase,
	freshPortalZone,
	type TestDatabase,
	type TestPortalZone
} from '../support/database';
import { insertTestMunicipality, insertTestResident } from '../support/fixtures';
import { publishToZone, takeInFromZone } from '../support/publish';
import { signOnPortal } from '../support/signing';
import {
	newSoftCredential,
	softAssertion,
	softRegistration,
	softResident,
	type SoftCredential
} from '../support/soft-authenticator';

const city = '139996';
const rp = { origin: 'https://portal.example.lg.jp', rpId: 'portal.example.lg.jp', name: 'test' };
const browser = sha256(randomBytes(32));
let database: TestDatabase;
let zone: TestPortalZone;
let atena = 300;

beforeAll(async () => {
	database = await freshDatabase();
	zone = await freshPortalZone();
	await insertTestMunicipality(database.owner, city);
});
afterAll(async () => {
	await zone?.close();
	await database?.close();
});

type Holder = { accountId: string; credentialRowId: string; atena: string; soft: SoftCredential };

/** A resident with a passkey the back office confirmed (not yet published). */
async function resident(): Promise<Holder> {
	const number = String(atena++);
	await insertTestResident(database.owner, city, number);
	const holder = await softResident(database.owner, {
		municipalityCode: city,
		atenaNumber: number
	});
	return { ...holder, atena: number };
}

const publish = () => publishToZone(database.backoffice, zone.portal);

/** A sign-in on the portal zone alone: its answer, or the reason it was refused. */
async function signIn(
	holder: Pick<Holder, 'soft'>,
	tweak: { counter?: number } = {}
): Promise<string> {
	const binding = { realm: 'resident' as const, purpose: 'authenticate' as const };
	const challenge = await storeChallenge(
		zone.portal,
		{ ...binding, ceremonyHash: browser },
		new Date()
	);
	return verifyAssertion(portalStore(zone.portal), rp, {
		...binding,
		ceremonyHash: browser,
		response: softAssertion(holder.soft, {
			challenge,
			origin: rp.origin,
			rpId: rp.rpId,
			...tweak
		}),
		now: new Date()
	}).then(
		() => 'accepted',
		(error: AuthFailure) => error.reason
	);
}

/** Everything the portal holds for the back office, taken in (as the pull does, without HTTP). */
const takeInWaiting = () =>
	takeInFromZone(database.backoffice, zone.portal, { rp, municipalityCode: city });

/** A session the holder opened on the portal, and where it stands now. */
async function portalSession(holder: Holder) {
	const sessions = createSessionManager(zone.portal, 'resident', {
		secureCookies: false,
		settings: () => ({ idleMinutes: 30, absoluteHours: 12 })
	});
	const { token } = await sessions.start({
		ownerId: holder.accountId,
		municipalityCode: city,
		credentialId: holder.credentialRowId,
		ip: null,
		userAgent: null,
		now: new Date()
	});
	return { status: async () => (await sessions.check(token, new Date())).status };
}

/** The holder's item of `kind` taken in and applied: the passkey's row inside, the notices. */
async function takenInside(holder: Holder, kind: string) {
	const taken = (await takeInWaiting()).filter((item) => item.account === holder.accountId);
	expect(taken.filter((item) => item.kind === kind)).toEqual([
		expect.objectContaining({ outcome: 'applied' })
	]);
	const [credential, notices] = await Promise.all([
		database.owner
			.selectFrom('webauthn_credential')
			.select(['flag_reason', 'revoke_reason'])
			.where('id', '=', holder.credentialRowId)
			.executeTakeFirstOrThrow(),
		database.owner
			.selectFrom('resident_notice')
			.select('kind')
			.where('resident_account_id', '=', holder.accountId)
			.execute()
	]);
	return { credential, notices: notices.map((notice) => notice.kind) };
}

/** Why the back office refused each of these items, in their order. */
const refusalsOf = (taken: readonly { seq: string }[]) =>
	database.owner
		.selectFrom('exchange_intake')
		.select('refusal')
		.where(
			'seq',
			'in',
			taken.map((item) => item.seq)
		)
		.orderBy('seq')
		.execute();

const auditOf = async (action: string, objectId: string) =>
	(
		await sql<{ actor_type: string; actor_id: string; result: string; reason: string | null }>`
		SELECT e.actor_type, e.actor_id, e.result, p.payload->>'reason' AS reason
		FROM audit.entry e LEFT JOIN audit.payload p USING (municipality_code, seq)
		WHERE e.action = ${action} AND e.object_id = ${objectId} ORDER BY e.seq`.execute(database.owner)
	).rows;

describe('a resident signing in on the portal zone', () => {
	it('keys a passkey by the SHA-256 of its id on both sides', async () => {
		const holder = await resident();
		const row = await database.owner
			.selectFrom('webauthn_credential')
			.select('credential_key')
			.where('id', '=', holder.credentialRowId)
			.executeTakeFirstOrThrow();
		expect(row.credential_key).toBe(credentialKeyOf(holder.soft.id));
		expect(row.credential_key).toBe(
			createHash('sha256').update(Buffer.from(holder.soft.id, 'utf8')).digest('base64url')
		);
	});

	it('is refused until the back office has published the passkey, then verified on the portal alone', async () => {
		const holder = await resident();
		expect(await signIn(holder)).toBe('credential_unknown');
		await publish();
		expect(await signIn(holder)).toBe('accepted');
		expect(await signIn(holder)).toBe('accepted');
		// The portal keeps its own counter; the back office's is its own (it sees signed acts only).
		const use = await zone.owner
			.selectFrom('credential_use')
			.select('sign_count')
			.where('credential_id', '=', holder.credentialRowId)
			.executeTakeFirstOrThrow();
		expect(Number(use.sign_count)).toBe(holder.soft.counter);
		const inside = await database.owner
			.selectFrom('webauthn_credential')
			.select('sign_count')
			.where('id', '=', holder.credentialRowId)
			.executeTakeFirstOrThrow();
		expect(Number(inside.sign_count)).toBe(0);
	});

	it('lets exactly one of two parallel assertions with the same counter through', async () => {
		const holder = await resident();
		await publish();
		expect(await signIn(holder)).toBe('accepted');
		const binding = { realm: 'resident' as const, purpose: 'authenticate' as const };
		const responses = await Promise.all(
			[1, 2].map(async () => {
				const challenge = await storeChallenge(
					zone.portal,
					{ ...binding, ceremonyHash: browser },
					new Date()
				);
				return softAssertion(holder.soft, {
					challenge,
					origin: rp.origin,
					rpId: rp.rpId,
					counter: 7
				});
			})
		);
		const results = await Promise.all(
			responses.map((response) =>
				verifyAssertion(portalStore(zone.portal), rp, {
					...binding,
					ceremonyHash: browser,
					response,
					now: new Date()
				}).then(
					() => 'accepted',
					(error: AuthFailure) => error.reason
				)
			)
		);
		expect(results.sort()).toEqual(['accepted', 'counter_regression']);
	});

	it('stops a passkey whose counter went backwards at once, and the back office records it, tells the resident and publishes it', async () => {
		const holder = await resident();
		await publish();
		expect(await signIn(holder)).toBe('accepted');
		expect(await signIn(holder)).toBe('accepted');
		expect(await signIn(holder, { counter: 1 })).toBe('counter_regression');
		// The portal stops using it before the back office has heard of it.
		expect(await signIn(holder, { counter: 10 })).toBe('credential_flagged');

		// (Its own: an earlier test's clone may be reported in the same pull.)
		const inside = await takenInside(holder, 'credential_flag');
		expect(inside.credential.flag_reason).toBe('counter_regression');
		expect(inside.notices).toContain('passkey_flagged');
		expect(await auditOf('auth.credential_flag', holder.credentialRowId)).toEqual([
			expect.objectContaining({ actor_type: 'system', result: 'ok', reason: 'counter_regression' })
		]);
		await publish();
		expect(await projectedCredential(zone.portal, holder.soft.id)).toMatchObject({
			flagged: true
		});
	});

	it('ends the sessions a passkey opened when its revocation is published, and refuses it after', async () => {
		const holder = await resident();
		await publish();
		expect(await signIn(holder)).toBe('accepted');
		const session = await portalSession(holder);
		expect(await session.status()).toBe('valid');
		// Revoked inside (a staff member, or the resident on another device).
		await revokeCredential(
			database.backoffice,
			{ realm: 'resident', id: holder.accountId },
			holder.credentialRowId,
			'by_staff',
			new Date()
		);
		expect(await session.status()).toBe('valid');
		await publish();
		expect(await session.status()).toBe('none');
		expect(await signIn(holder)).toBe('credential_revoked');
	});

	it('lets a resident revoke a passkey on the portal: stopped at once, recorded, told and published inside', async () => {
		const holder = await resident();
		const other = await resident();
		await publish();
		const caller = {
			type: 'resident' as const,
			id: holder.accountId,
			atenaNumber: holder.atena,
			municipalityCode: city
		};
		const session = await portalSession(holder);
		// Another account's passkey is not one to revoke; the last one needs the holder's word.
		await expect(
			revokePasskey(zone.portal, caller, { id: other.credentialRowId, lastUnderstood: true })
		).rejects.toMatchObject({ code: 'not_found' });
		await expect(
			revokePasskey(zone.portal, caller, { id: holder.credentialRowId, lastUnderstood: false })
		).rejects.toMatchObject({ code: 'last_passkey' });
		await revokePasskey(zone.portal, caller, { id: holder.credentialRowId, lastUnderstood: true });
		// Stopped on the portal before the back office has heard of it.
		expect(await signIn(holder)).toBe('credential_revoked');
		expect(await session.status()).toBe('none');
		const page = await ownPasskeys(zone.portal, caller, {
			currentCredentialId: holder.credentialRowId,
			signedInAt: new Date()
		});
		expect(page.passkeys).toEqual([
			expect.objectContaining({ id: holder.credentialRowId, revokedAt: expect.any(String) })
		]);
		// A second tap sends nothing more (the first is waiting), and is refused as revoked.
		await expect(
			revokePasskey(zone.portal, caller, { id: holder.credentialRowId, lastUnderstood: true })
		).rejects.toMatchObject({ code: 'not_found' });

		const inside = await takenInside(holder, 'passkey_revoke');
		expect(inside.credential.revoke_reason).toBe('by_owner');
		expect(inside.notices).toContain('passkey_revoked');
		expect(await auditOf('auth.credential_revoke', holder.credentialRowId)).toEqual([
			{ actor_type: 'resident', actor_id: holder.accountId, result: 'ok', reason: 'by_owner' }
		]);
		await publish();
		expect(await projectedCredential(zone.portal, holder.soft.id)).toMatchObject({
			revokedAt: expect.any(String)
		});
	});

	it('reports each sign-in for the audit log, as the account’s, with its passkey', async () => {
		const holder = await resident();
		await publish();
		await reportAuthEvent(
			zone.portal,
			{ requestId: 'r-1', ip: '192.0.2.1', userAgent: 'test', sessionHash: 'abc' },
			{
				account: holder.accountId,
				action: 'auth.sign_in',
				result: 'ok',
				credential: holder.credentialRowId,
				counter: 3
			}
		);
		const taken = (await takeInWaiting()).filter((item) => item.account === holder.accountId);
		expect(taken.filter((item) => item.kind === 'auth_event')).toEqual([
			expect.objectContaining({ outcome: 'applied' })
		]);
		expect(await auditOf('auth.sign_in', holder.credentialRowId)).toEqual([
			{ actor_type: 'resident', actor_id: holder.accountId, result: 'ok', reason: null }
		]);
	});

	it('refuses what a compromised portal reports about another account’s passkey, or in another shape', async () => {
		const victim = await resident();
		const forger = await resident();
		const forged = async (kind: string, body: Record<string, unknown>, account: string | null) =>
			addItem(zone.owner, {
				kind,
				resident_account_id: account,
				body: JSON.stringify(body),
				object_id: null
			});
		await forged(
			'credential_flag',
			{ credential: victim.credentialRowId, reason: 'counter_regression' },
			forger.accountId
		);
		await forged(
			'auth_event',
			{ action: 'auth.sign_in', result: 'ok', credential: victim.credentialRowId },
			forger.accountId
		);
		await forged('auth_event', { action: 'staff.grant_role', result: 'ok' }, forger.accountId);
		await forged(
			'passkey_revoke',
			{ credential: victim.credentialRowId, last: false },
			forger.accountId
		);
		await forged(
			'credential_flag',
			{ credential: victim.credentialRowId, reason: 'restored' },
			victim.accountId
		);
		await forged(
			'passkey_rename',
			{ credential: victim.credentialRowId, nickname: '乗っ取り' },
			forger.accountId
		);
		const taken = (await takeInWaiting()).filter(
			(item) => item.account === forger.accountId || item.account === victim.accountId
		);
		expect(taken.map((item) => item.outcome)).toEqual(Array(6).fill('refused'));
		const refusals = await refusalsOf(taken);
		expect(refusals.map((row) => row.refusal)).toEqual([
			'credential_of_another_account',
			'credential_of_another_account',
			'malformed',
			'credential_of_another_account',
			'malformed',
			'credential_of_another_account'
		]);
		const inside = await database.owner
			.selectFrom('webauthn_credential')
			.select(['flagged_at', 'revoked_at', 'nickname'])
			.where('id', '=', victim.credentialRowId)
			.executeTakeFirstOrThrow();
		expect(inside).toEqual({ flagged_at: null, revoked_at: null, nickname: 'test' });
		expect(await auditOf('auth.sign_in', victim.credentialRowId)).toEqual([]);
	});
});

describe('the passkeys page on the portal zone', () => {
	const callerOf = (holder: Holder) => ({
		type: 'resident' as const,
		id: holder.accountId,
		atenaNumber: holder.atena,
		municipalityCode: city
	});
	const portalCity = {
		rp,
		policy: { attestation: 'none' as const, aaguidAllowlist: [], requireDeviceBound: false }
	};
	const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000);
	const pageOf = (holder: Holder, signedInAt = new Date()) =>
		ownPasskeys(zone.portal, callerOf(holder), {
			currentCredentialId: holder.credentialRowId,
			signedInAt
		});

	/** `signer`'s act over `payload`, signed on the portal and sent from `from`'s account. */
	async function signedAddition(signer: Holder, payload: unknown, from: Holder = signer) {
		const act = await signOnPortal(zone.portal, signer, {
			kind: 'passkey_add',
			payload,
			rp,
			ceremonyHash: browser
		});
		await sendSignedAct(zone.portal, callerOf(from), {
			kind: 'passkey_add',
			act,
			signedAt: new Date()
		});
	}

	/** A passkey made with the portal's options and confirmed with the holder's own, as the page does. */
	async function addPasskey(holder: Holder) {
		const caller = callerOf(holder);
		const options = await addPasskeyOptions(zone.portal, caller, {
			ceremonyHash: browser,
			signedInAt: new Date(),
			city: portalCity
		});
		const fresh = newSoftCredential(Buffer.from(options.user.id, 'base64url'));
		const confirm = await confirmationOptions(zone.portal, caller, {
			ceremonyHash: browser,
			response: softRegistration(fresh, {
				challenge: options.challenge,
				origin: rp.origin,
				rpId: rp.rpId
			}),
			locale: 'ja',
			signedInAt: new Date(),
			city: portalCity
		});
		const { act } = await verifySigning(portalStore(zone.portal), rp, {
			accountId: holder.accountId,
			ceremonyHash: browser,
			response: softAssertion(holder.soft, {
				challenge: confirm.challenge,
				origin: rp.origin,
				rpId: rp.rpId
			}),
			now: new Date()
		});
		await sendSignedAct(zone.portal, caller, { kind: 'passkey_add', act, signedAt: new Date() });
		return fresh;
	}

	const credentialsOf = (holder: Holder) =>
		database.owner
			.selectFrom('webauthn_credential')
			.select(['id', 'credential_id', 'nickname'])
			.where('resident_account_id', '=', holder.accountId)
			.orderBy('created_at')
			.execute();

	it('lists the published passkeys with the portal’s own use, and a new name shown at once is renamed, audited and published inside', async () => {
		const holder = await resident();
		const other = await resident();
		await publish();
		expect(await signIn(holder)).toBe('accepted');
		const page = await pageOf(holder);
		expect(page.canAdd).toBe(true);
		expect(page.addition).toBeNull();
		expect(page.passkeys).toEqual([
			expect.objectContaining({
				id: holder.credentialRowId,
				nickname: 'test',
				current: true,
				revokedAt: null,
				lastUsedAt: expect.any(String),
				createdAt: expect.any(String)
			})
		]);
		expect((await pageOf(holder, minutesAgo(11))).canAdd).toBe(false);

		const caller = callerOf(holder);
		for (const nickname of [' ', 'x'.repeat(61)])
			await expect(
				renamePasskey(zone.portal, caller, { id: holder.credentialRowId, nickname })
			).rejects.toMatchObject({ code: 'name_invalid' });
		await expect(
			renamePasskey(zone.portal, caller, { id: other.credentialRowId, nickname: '他人の' })
		).rejects.toMatchObject({ code: 'not_found' });
		await renamePasskey(zone.portal, caller, {
			id: holder.credentialRowId,
			nickname: '私のスマホ'
		});
		expect((await pageOf(holder)).passkeys[0]!.nickname).toBe('私のスマホ');

		const taken = (await takeInWaiting()).filter((item) => item.account === holder.accountId);
		expect(taken.filter((item) => item.kind === 'passkey_rename')).toEqual([
			expect.objectContaining({ outcome: 'applied' })
		]);
		expect((await credentialsOf(holder))[0]!.nickname).toBe('私のスマホ');
		expect(await auditOf('auth.credential_rename', holder.credentialRowId)).toEqual([
			{ actor_type: 'resident', actor_id: holder.accountId, result: 'ok', reason: null }
		]);
		await publish();
		expect(await projectedCredential(zone.portal, holder.soft.id)).toMatchObject({
			nickname: '私のスマホ'
		});
		expect((await pageOf(holder)).passkeys[0]!.nickname).toBe('私のスマホ');
	});

	it('adds a passkey made with the portal’s options once one the account has confirms it: verified again inside, bound, told, audited and published', async () => {
		const holder = await resident();
		await publish();
		const caller = callerOf(holder);
		// Only minutes after signing in.
		await expect(
			addPasskeyOptions(zone.portal, caller, {
				ceremonyHash: browser,
				signedInAt: minutesAgo(11),
				city: portalCity
			})
		).rejects.toMatchObject({ reason: 'enrolment_missing' });

		const fresh = await addPasskey(holder);
		expect((await pageOf(holder)).addition).toMatchObject({ state: 'sent' });
		expect(await signIn({ soft: fresh })).toBe('credential_unknown');
		const taken = (await takeInWaiting()).filter((item) => item.account === holder.accountId);
		const added = taken.filter((item) => item.kind === 'passkey_add');
		expect(added).toEqual([expect.objectContaining({ outcome: 'applied' })]);
		const credentials = await credentialsOf(holder);
		expect(credentials.map((row) => row.credential_id)).toEqual([holder.soft.id, fresh.id]);
		expect(added[0]!.answer).toEqual({
			accountId: holder.accountId,
			credentialId: credentials[1]!.id
		});
		expect(await auditOf('auth.register', credentials[1]!.id)).toEqual([
			{ actor_type: 'resident', actor_id: holder.accountId, result: 'ok', reason: null }
		]);
		const signed = await database.owner
			.selectFrom('signed_act')
			.select(['kind', 'credential_id'])
			.where('resident_account_id', '=', holder.accountId)
			.execute();
		expect(signed).toEqual([{ kind: 'passkey_add', credential_id: holder.credentialRowId }]);
		const notices = await database.owner
			.selectFrom('resident_notice')
			.select('kind')
			.where('resident_account_id', '=', holder.accountId)
			.execute();
		expect(notices.map((notice) => notice.kind)).toEqual(['passkey_added']);

		await publish();
		expect(await signIn({ soft: fresh })).toBe('accepted');
		const page = await pageOf(holder);
		expect(page.passkeys.map((passkey) => passkey.id)).toEqual([
			holder.credentialRowId,
			credentials[1]!.id
		]);
		// Applied: nothing more to say about it.
		expect((await pageOf(holder)).addition).toBeNull();
	});

	it('refuses a passkey addition a compromised portal forges, and binds nothing', async () => {
		const victim = await resident();
		const forger = await resident();
		await publish();
		const made = (account: Holder, challenge: string, userVerified = true) =>
			softRegistration(newSoftCredential(randomBytes(32)), {
				challenge,
				origin: rp.origin,
				rpId: rp.rpId,
				userVerified
			});
		const nonce = randomBytes(32);
		const addition = (account: Holder, registration: unknown) => ({
			act: 'passkey_add',
			account: account.accountId,
			registration,
			nonce: nonce.toString('base64url'),
			locale: 'ja'
		});
		const forVictim = made(victim, addPasskeyChallenge(victim.accountId, nonce));
		const forForger = addPasskeyChallenge(forger.accountId, nonce);
		// The forger's own passkey signs a passkey for the victim's account.
		await signedAddition(forger, addition(victim, forVictim));
		// The forger's passkey, sent as an item of the victim's account.
		await signedAddition(forger, addition(victim, forVictim), victim);
		// A passkey not made with the portal's challenge for the account.
		await signedAddition(
			forger,
			addition(forger, made(forger, randomBytes(32).toString('base64url')))
		);
		// A passkey made without user verification.
		await signedAddition(forger, addition(forger, made(forger, forForger, false)));
		// Something other than a passkey, signed as one.
		await signedAddition(forger, { act: 'consent', account: forger.accountId });
		const taken = (await takeInWaiting()).filter(
			(item) => item.account === forger.accountId || item.account === victim.accountId
		);
		expect(taken.map((item) => item.outcome)).toEqual(Array(5).fill('refused'));
		// The resident is told it could not be confirmed.
		expect((await pageOf(forger)).addition).toMatchObject({ state: 'refused' });
		const refusals = await refusalsOf(taken);
		expect(refusals.map((row) => row.refusal?.split(':')[0])).toEqual([
			'payload',
			'credential_of_another_account',
			'registration',
			'registration',
			'payload'
		]);
		expect((await credentialsOf(victim)).length).toBe(1);
		expect((await credentialsOf(forger)).length).toBe(1);
		const signed = await database.owner
			.selectFrom('signed_act')
			.select('id')
			.where('resident_account_id', 'in', [victim.accountId, forger.accountId])
			.execute();
		expect(signed).toEqual([]);
	});
});
