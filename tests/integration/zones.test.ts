// The exchange between the two zones (issue 27, docs/zones.md), over real HTTP with real
// signatures: the back office takes in what the portal holds, once; verifies every signed act
// again against its own credential; refuses, audits and does not apply what a compromised portal
// writes straight into its database; and the portal answers only the back office's signed,
// fresh, unreplayed requests.
import { randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResidentCaller } from '../../src/lib/server/audit/caller';
import { publishToZone } from '../support/publish';
import { signOnPortal } from '../support/signing';
import { reverifySignedAct } from '../../src/lib/server/auth/signing';
import { sha256 } from '../../src/lib/server/auth/tokens';
import { ed25519Signer, parsePublicKeys, publicKeyText } from '../../src/lib/server/crypto/ed25519';
import { pullOnce, type ExchangePeer } from '../../src/lib/server/exchange/client';
import { takeIn } from '../../src/lib/server/exchange/intake';
import { myNumberCheckDigit } from '../../src/lib/server/mynumber/check-digit';
import { actOnTheWire, itemList } from '../../src/lib/server/exchange/items';
import { sendSignedAct } from '../../src/lib/server/exchange/portal';
import { transitionToSign } from '../../src/lib/server/applications/applicant';
import { createDraft, saveDraft } from '../../src/lib/server/applications/store';
import { representedPeople } from '../../src/lib/server/residents/household';
import {
	onlineRequestToSign,
	ownDeskRequests,
	signedRequestKey
} from '../../src/lib/server/desk/online';
import { serveExchange } from '../../scripts/lib/exchange-server';
import { exchangeRefusals, exchangeWarning } from '../../src/lib/server/exchange/standing';
import { signedHeaders } from '../../src/lib/server/exchange/signature';
import {
	freshDatabase,
	freshPortalZone,
	type TestDatabase,
	type TestPortalZone
} from '../support/database';
import { staffCaller } from '../support/callers';
import { insertTestMunicipality, insertTestResident, insertTestStaff } from '../support/fixtures';
import {
	newSoftCredential,
	softRegistration,
	softResident,
	type SoftCredential
} from '../support/soft-authenticator';
import { issueDeskLink, issueLetterCode } from '../../src/lib/server/auth/enrolment';
import type { AuthFailure } from '../../src/lib/server/auth/failures';
import {
	enrolmentStanding,
	sendEnrolmentClaim,
	sendEnrolmentRegistration,
	shownEnrolment
} from '../../src/lib/server/exchange/enrolment';
import { hitsSoFar, limits } from '../../src/lib/server/auth/rate-limit';

const city = '139997';
const rp = { origin: 'https://portal.example.lg.jp', rpId: 'portal.example.lg.jp', name: 'test' };
const policy = { attestation: 'none' as const, aaguidAllowlist: [], requireDeviceBound: false };
const browser = sha256('browser');
const backOfficeKey = ed25519Signer({ id: 'bo2026', key: randomBytes(32) });
let database: TestDatabase;
let zone: TestPortalZone;
let server: Awaited<ReturnType<typeof serveExchange>>;
let peer: ExchangePeer;
let atena = 700;

type Holder = { accountId: string; atena: string; soft: SoftCredential };

async function resident(): Promise<Holder> {
	const number = String(++atena).padStart(7, '0');
	await insertTestResident(database.owner, city, number);
	const { accountId, soft } = await softResident(database.owner, {
		municipalityCode: city,
		atenaNumber: number
	});
	// The passkey as the back office confirmed and published it: what the portal verifies against.
	await publishToZone(database.backoffice, zone.portal);
	return { accountId, atena: number, soft };
}

const callerOf = (holder: Holder): ResidentCaller => ({
	type: 'resident',
	id: holder.accountId,
	atenaNumber: holder.atena,
	municipalityCode: city
});

/** A consent signed on the portal as its route does it: challenge, assertion, first check. */
const signConsent = (holder: Holder, statement = 'electronic_notices') =>
	signAs(holder, 'consent', {
		statement,
		text: '電子でのお知らせに同意します。',
		locale: 'ja',
		shown_at: new Date().toISOString()
	});

/** Any act signed by the holder's own passkey, as a compromised portal could have it signed. */
const signAs = (
	holder: Holder,
	kind: 'consent' | 'submit' | 'withdraw' | 'desk_request',
	payload: unknown
) => signOnPortal(zone.portal, holder, { kind, payload, rp, ceremonyHash: browser });

async function consentSent(holder: Holder) {
	const act = await signConsent(holder);
	const { seq } = await sendSignedAct(zone.portal, callerOf(holder), {
		kind: 'consent',
		act,
		signedAt: new Date()
	});
	return { seq: seq!, act };
}

/** An enrolment item as a compromised portal could write it: from no account, or from one. */
async function forgeEnrolment(
	kind: 'enrolment_claim' | 'enrolment_registration',
	body: Record<string, unknown>,
	accountId: string | null = null
): Promise<string> {
	const row = await zone.owner
		.insertInto('exchange_item')
		.values({
			kind,
			resident_account_id: accountId,
			// The back office reads the claim from the body, never from the portal's index.
			body: JSON.stringify(body)
		})
		.returning('seq')
		.executeTakeFirstOrThrow();
	return String(row.seq);
}

/** What a compromised portal can do: write any item it likes into its own database. */
async function forge(accountId: string, body: unknown, kind = 'consent'): Promise<string> {
	const row = await zone.owner
		.insertInto('exchange_item')
		.values({ kind, resident_account_id: accountId, body: JSON.stringify(body) })
		.returning('seq')
		.executeTakeFirstOrThrow();
	return String(row.seq);
}

const signedActsOf = async (accountId: string) =>
	(
		await database.owner
			.selectFrom('signed_act')
			.select('id')
			.where('resident_account_id', '=', accountId)
			.execute()
	).length;

const portalOutcome = async (seq: string) =>
	(
		await zone.owner
			.selectFrom('exchange_item')
			.select('outcome')
			.where('seq', '=', seq)
			.executeTakeFirstOrThrow()
	).outcome;

beforeAll(async () => {
	database = await freshDatabase();
	zone = await freshPortalZone();
	await insertTestMunicipality(database.owner, city);
	// The portal holds the public half only, as EXCHANGE_PUBLIC_KEY.
	const keys = parsePublicKeys(publicKeyText(backOfficeKey));
	server = await serveExchange(zone.portal, keys);
	peer = {
		portalUrl: server.url,
		signer: backOfficeKey,
		rp: { origin: rp.origin, rpId: rp.rpId },
		municipalityCode: city
	};
});
afterAll(async () => {
	await server?.close();
	await zone?.close();
	await database?.close();
});

describe('the exchange from the portal to the back office', () => {
	it('takes a consent signed on the portal in once, verified again, and tells the portal', async () => {
		const holder = await resident();
		const { seq, act } = await consentSent(holder);
		expect(await portalOutcome(seq)).toBeNull();

		const first = await pullOnce(database.backoffice, peer);
		expect(first.results).toEqual([{ seq, outcome: 'applied', already: false }]);
		expect(await portalOutcome(seq)).toBe('applied');
		// The portal keeps the receipt, not the act: the back office holds the verified copy.
		const kept = await zone.owner
			.selectFrom('exchange_item')
			.select('body')
			.where('seq', '=', seq)
			.executeTakeFirstOrThrow();
		expect(kept.body).toEqual({});
		const stored = await database.owner
			.selectFrom('signed_act')
			.select(['id', 'payload', 'kind'])
			.where('resident_account_id', '=', holder.accountId)
			.executeTakeFirstOrThrow();
		expect(stored).toMatchObject({ kind: 'consent', payload: act.payload });
		// Stored with everything needed to check it again from the back office's database alone.
		expect(await reverifySignedAct(database.backoffice, stored.id)).toMatchObject({ valid: true });
		const intake = await database.owner
			.selectFrom('exchange_intake')
			.selectAll()
			.where('seq', '=', seq)
			.executeTakeFirstOrThrow();
		expect(intake).toMatchObject({ outcome: 'applied', refusal: null, signed_act_id: stored.id });
		const { rows } = await sql<{ actor_id: string; payload: Record<string, unknown> }>`
			SELECT e.actor_id, p.payload FROM audit.entry e JOIN audit.payload p USING (municipality_code, seq)
			WHERE e.action = 'auth.sign' AND e.object_id = ${stored.id}`.execute(database.owner);
		expect(rows).toEqual([
			{
				actor_id: holder.accountId,
				payload: expect.objectContaining({ portalSeq: seq.padStart(19, '0') })
			}
		]);

		// Nothing is left to take: a second pull lists nothing and applies nothing.
		const second = await pullOnce(database.backoffice, peer);
		expect(second.listed).toBe(0);
		expect(await signedActsOf(holder.accountId)).toBe(1);
	});

	it('applies an item once when the acknowledgement was lost (a crash after the commit)', async () => {
		const holder = await resident();
		const { seq } = await consentSent(holder);
		// The back office committed the intake and died before acknowledging it.
		const listed = itemList.parse({
			items: (
				await zone.owner.selectFrom('exchange_item').selectAll().where('seq', '=', seq).execute()
			).map((row) => ({
				seq: String(row.seq),
				kind: row.kind,
				residentAccountId: row.resident_account_id,
				body: row.body,
				arrivedAt: row.arrived_at.toISOString()
			}))
		});
		const taken = await takeIn(database.backoffice, {
			portal: peer.rp.origin,
			item: listed.items[0]!,
			rp: peer.rp,
			municipalityCode: city,
			now: new Date()
		});
		expect(taken).toEqual({ seq, outcome: 'applied', already: false });
		expect(await portalOutcome(seq)).toBeNull();

		const again = await pullOnce(database.backoffice, peer);
		expect(again.results).toEqual([{ seq, outcome: 'applied', already: true }]);
		expect(await portalOutcome(seq)).toBe('applied');
		expect(await signedActsOf(holder.accountId)).toBe(1);
	});

	it('takes an item once when the address that reaches the portal changed before the acknowledgement', async () => {
		const holder = await resident();
		const { seq } = await consentSent(holder);
		// A relay between the networks passes the list and loses the acknowledgement (a cut after
		// the back office committed); the city then reaches the portal by its direct address.
		const relay = http.createServer(async (incoming, outgoing) => {
			if (incoming.method !== 'GET') return outgoing.destroy();
			const answer = await fetch(new URL(incoming.url!, server.url), {
				headers: incoming.headers as Record<string, string>
			});
			outgoing.writeHead(answer.status, { 'content-type': 'application/json' });
			outgoing.end(await answer.text());
		});
		await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
		try {
			const through = {
				...peer,
				portalUrl: `http://127.0.0.1:${(relay.address() as AddressInfo).port}`
			};
			await expect(pullOnce(database.backoffice, through)).rejects.toThrow(/unreachable/);
		} finally {
			relay.closeAllConnections();
			await new Promise((resolve) => relay.close(resolve));
		}
		expect(await portalOutcome(seq)).toBeNull();
		const direct = await pullOnce(database.backoffice, peer);
		expect(direct.results).toEqual([{ seq, outcome: 'applied', already: true }]);
		expect(await signedActsOf(holder.accountId)).toBe(1);
	});

	it('takes each item once when two back-office processes pull at the same time', async () => {
		const holders = await Promise.all([resident(), resident(), resident()]);
		for (const holder of holders) await consentSent(holder);
		const [a, b] = await Promise.all([
			pullOnce(database.backoffice, peer),
			pullOnce(database.backoffice, peer)
		]);
		const fresh = [...a.results, ...b.results].filter((result) => !result.already);
		expect(fresh).toHaveLength(3);
		for (const holder of holders) expect(await signedActsOf(holder.accountId)).toBe(1);
	});
});

describe('items a compromised portal writes into its own database', () => {
	it('are refused, audited as security events with their sequence, and nothing of them applied', async () => {
		const holder = await resident();
		const other = await resident();
		const genuine = await signConsent(holder);
		const wire = actOnTheWire('consent', genuine, new Date());
		const flip = (text: string) =>
			Buffer.from(
				Buffer.from(text, 'base64url').map((byte, index) => (index === 10 ? byte ^ 1 : byte))
			).toString('base64url');
		const forged = {
			// What was signed, changed after the signature.
			changedPayload: await forge(holder.accountId, {
				act: { ...wire, payload: wire.payload.replace('electronic_notices', 'paper_notices') }
			}),
			// A genuine act, claimed for another account.
			anotherAccount: await forge(other.accountId, { act: wire }),
			// A credential the back office does not hold.
			unknownCredential: await forge(holder.accountId, {
				act: { ...wire, credentialId: randomBytes(16).toString('base64url') }
			}),
			// The signature's bytes changed.
			badSignature: await forge(holder.accountId, {
				act: { ...wire, signature: flip(wire.signature) }
			}),
			// Signed for another site.
			otherOrigin: await forge(holder.accountId, {
				act: { ...wire, origin: 'https://evil.example' }
			}),
			// A kind the back office does not take.
			unknownKind: await forge(holder.accountId, { act: wire }, 'grant_role'),
			// Not an act at all.
			malformed: await forge(holder.accountId, { act: { kind: 'consent' }, extra: 1 })
		};
		const report = await pullOnce(database.backoffice, peer);
		expect(report.results.map((result) => result.outcome)).toEqual(
			Object.values(forged).map(() => 'refused')
		);
		expect(await signedActsOf(holder.accountId)).toBe(0);
		expect(await signedActsOf(other.accountId)).toBe(0);
		for (const seq of Object.values(forged)) expect(await portalOutcome(seq)).toBe('refused');

		const refusals = await database.owner
			.selectFrom('exchange_intake')
			.select(['seq', 'refusal'])
			.where('seq', 'in', Object.values(forged))
			.orderBy('seq')
			.execute();
		expect(refusals.map((row) => row.refusal)).toEqual([
			expect.stringMatching(/^signature: /),
			'credential_of_another_account',
			'credential_unknown',
			expect.stringMatching(/^signature: /),
			'origin',
			'unknown_kind: grant_role',
			'malformed'
		]);
		const { rows } = await sql<{ object_id: string; result: string; actor_type: string }>`
			SELECT object_id, result, actor_type FROM audit.entry
			WHERE action = 'exchange.refuse' ORDER BY seq`.execute(database.owner);
		// (Items of different accounts are taken in side by side: the chain's order may differ.)
		expect(rows.map((row) => row.object_id).sort()).toEqual(
			Object.values(forged)
				.map((seq) => seq.padStart(19, '0'))
				.sort()
		);
		expect(rows.every((row) => row.result === 'denied' && row.actor_type === 'system')).toBe(true);

		// The genuine act itself still goes through once, and not a second time as a replay.
		const sent = await sendSignedAct(zone.portal, callerOf(holder), {
			kind: 'consent',
			act: genuine,
			signedAt: new Date()
		});
		const replay = await forge(holder.accountId, { act: wire });
		const last = await pullOnce(database.backoffice, peer);
		expect(last.results).toEqual([
			{ seq: sent.seq, outcome: 'applied', already: false },
			{ seq: replay, outcome: 'refused', already: false }
		]);
		expect(await signedActsOf(holder.accountId)).toBe(1);
	});
});

describe('enrolment through the exchange', () => {
	const anonymous = {
		type: 'anonymous' as const,
		id: 'anonymous',
		municipalityCode: city,
		context: { requestId: 'r-enrol', ip: '192.0.2.40', userAgent: 'test', sessionHash: null }
	};
	const client = { ip: '192.0.2.40', userAgent: 'test' };

	async function letter(birthDate = '1990-04-01') {
		const number = String(++atena).padStart(7, '0');
		await insertTestResident(database.owner, city, number, birthDate);
		const { code, enrolment } = await issueLetterCode(database.owner, {
			municipalityCode: city,
			atenaNumber: number,
			issuedBy: null,
			now: new Date()
		});
		return { atena: number, code, enrolmentId: enrolment.id };
	}

	const claim = (browserHash: Buffer, code: string, birthDate: string) =>
		sendEnrolmentClaim(zone.portal, anonymous, {
			claim: { by: 'letter', code, birthDate },
			ceremonyHash: browserHash,
			client
		});
	const standing = (browserHash: Buffer) =>
		enrolmentStanding(zone.portal, anonymous, { ceremonyHash: browserHash });

	/** A letter's code claimed on a phone and accepted inside: the options to make a passkey with. */
	async function acceptedClaim(name: string) {
		const person = await letter();
		const phone = sha256(`${name}-${person.atena}`);
		await claim(phone, person.code, '1990-04-01');
		await pullOnce(database.backoffice, peer);
		const accepted = await standing(phone);
		if (accepted.step !== 'accepted') throw new Error(`claim ${accepted.step}`);
		return { person, phone, accepted };
	}

	it('checks the code inside, binds the passkey the back office confirmed, and answers the account', async () => {
		const person = await letter();
		const phone = sha256(`phone-${person.atena}`);
		// Not yet taken in: the portal says it is being checked, and knows nothing more.
		expect(await claim(phone, person.code, '1990-04-01')).toEqual({ sent: true });
		expect(await standing(phone)).toEqual({ step: 'checking', by: 'letter' });
		const pulled = await pullOnce(database.backoffice, peer);
		expect(pulled.results).toEqual([
			expect.objectContaining({
				outcome: 'applied',
				answer: expect.objectContaining({ accepted: true })
			})
		]);
		const accepted = await standing(phone);
		if (accepted.step !== 'accepted') throw new Error(`claim ${accepted.step}`);
		expect(accepted.registration).toBe('none');
		// The options are the back office's: its challenge, the account's user handle.
		const account = await database.owner
			.selectFrom('resident_account')
			.select(['id', 'user_handle'])
			.where('atena_number', '=', person.atena)
			.executeTakeFirstOrThrow();
		expect(accepted.options).toMatchObject({
			rp: { id: rp.rpId },
			user: { id: account.user_handle.toString('base64url') }
		});

		const soft = newSoftCredential(account.user_handle);
		const response = softRegistration(soft, {
			challenge: accepted.options.challenge,
			origin: rp.origin,
			rpId: rp.rpId
		});
		await sendEnrolmentRegistration(zone.portal, anonymous, {
			ceremonyHash: phone,
			response,
			locale: 'ja',
			rp,
			policy
		});
		// A double tap sends it once.
		await sendEnrolmentRegistration(zone.portal, anonymous, {
			ceremonyHash: phone,
			response,
			locale: 'ja',
			rp,
			policy
		}).catch(() => undefined);
		expect(await standing(phone)).toMatchObject({ step: 'accepted', registration: 'sending' });
		const registered = await pullOnce(database.backoffice, peer);
		expect(registered.results).toHaveLength(1);
		const credential = await database.owner
			.selectFrom('webauthn_credential')
			.select(['id', 'resident_account_id', 'enrolment_id'])
			.where('credential_id', '=', soft.id)
			.executeTakeFirstOrThrow();
		expect(credential).toMatchObject({
			resident_account_id: account.id,
			enrolment_id: person.enrolmentId
		});
		expect(await standing(phone)).toMatchObject({
			step: 'registered',
			accountId: account.id,
			credentialId: credential.id
		});
		const used = await database.owner
			.selectFrom('enrolment')
			.select('used_at')
			.where('id', '=', person.enrolmentId)
			.executeTakeFirstOrThrow();
		expect(used.used_at).not.toBeNull();
		const { rows } = await sql<{
			action: string;
			result: string;
			payload: Record<string, unknown>;
		}>`
			SELECT e.action, e.result, p.payload FROM audit.entry e
			JOIN audit.payload p USING (municipality_code, seq)
			WHERE e.action IN ('auth.enrolment_claim', 'auth.register') AND e.object_id IN (${person.enrolmentId}, ${credential.id})
			ORDER BY e.seq`.execute(database.owner);
		expect(rows).toEqual([
			expect.objectContaining({ action: 'auth.enrolment_claim', result: 'ok' }),
			expect.objectContaining({
				action: 'auth.register',
				result: 'ok',
				payload: expect.objectContaining({
					portalSeq: registered.results[0]!.seq.padStart(19, '0')
				})
			})
		]);
		// The same passkey sent again for the used claim is refused, and binds nothing more.
		const again = await forgeEnrolment('enrolment_registration', {
			claimId: (accepted as { claimId: string }).claimId,
			response,
			locale: 'ja'
		});
		const last = await pullOnce(database.backoffice, peer);
		expect(last.results).toEqual([{ seq: again, outcome: 'refused', already: false }]);
	});

	it('answers a wrong birth date as not accepted, counts it inside, and locks the code after five', async () => {
		const person = await letter('1985-06-15');
		for (let attempt = 1; attempt <= 5; attempt++) {
			const phone = sha256(`guess-${person.atena}-${attempt}`);
			await claim(phone, person.code, `1985-06-${String(attempt).padStart(2, '0')}`);
			const pulled = await pullOnce(database.backoffice, peer);
			expect(pulled.results).toEqual([
				expect.objectContaining({ outcome: 'applied', answer: { accepted: false } })
			]);
			expect(await standing(phone)).toMatchObject({ step: 'declined', by: 'letter' });
		}
		const row = await database.owner
			.selectFrom('enrolment')
			.select(['failed_attempts', 'locked_at'])
			.where('id', '=', person.enrolmentId)
			.executeTakeFirstOrThrow();
		expect(row.failed_attempts).toBe(5);
		expect(row.locked_at).not.toBeNull();
		// The right birth date no longer opens it.
		const phone = sha256(`late-${person.atena}`);
		await claim(phone, person.code, '1985-06-15');
		await pullOnce(database.backoffice, peer);
		expect(await standing(phone)).toMatchObject({ step: 'declined', by: 'letter' });
	});

	it('counts a failure once when it is shown, never a success, and shows none past the limit', async () => {
		const shown = (browserHash: Buffer, ip: string) =>
			standing(browserHash).then((found) =>
				shownEnrolment(zone.portal, anonymous, {
					standing: found,
					client: { ip, userAgent: 'test' }
				})
			);
		const ip = '192.0.2.77';
		const failures = () => hitsSoFar(zone.portal, limits.codeFailuresPerIp(ip));
		// A success is not counted.
		const { phone } = await acceptedClaim('counted');
		expect((await shown(phone, ip)).step).toBe('accepted');
		expect(await failures()).toBe(0);
		// A failure is counted the first time it is shown, not again on a reload.
		const person = await letter();
		const wrong = sha256(`wrong-${person.atena}`);
		await claim(wrong, person.code, '1990-04-02');
		await pullOnce(database.backoffice, peer);
		expect((await shown(wrong, ip)).step).toBe('declined');
		expect((await shown(wrong, ip)).step).toBe('declined');
		expect(await failures()).toBe(1);
		// Past the limit, the answer is not shown, and no further claim is sent.
		await zone.owner
			.updateTable('rate_limit')
			.set({ hits: limits.codeFailuresPerIp(ip).max })
			.where('bucket', '=', limits.codeFailuresPerIp(ip).bucket)
			.execute();
		expect((await shown(wrong, ip)).step).toBe('limited');
		const refused = await sendEnrolmentClaim(
			zone.portal,
			{ ...anonymous, context: { ...anonymous.context, requestId: 'r-enrol-limited', ip } },
			{
				claim: { by: 'letter', code: person.code, birthDate: '1990-04-01' },
				ceremonyHash: sha256(`late-${person.atena}`),
				client: { ip, userAgent: 'test' }
			}
		);
		expect(refused).toMatchObject({ sent: false, failure: { reason: 'rate_limited' } });
		// The refusal for the address is the portal's own decision, reported and audited when the
		// back office takes the report in: the claim never reached it, which would have audited it.
		await pullOnce(database.backoffice, peer);
		const { rows } = await sql<{ result: string; ip: string | null; payload: unknown }>`
			SELECT e.result, e.ip, p.payload FROM audit.entry e
			JOIN audit.payload p USING (municipality_code, seq)
			WHERE e.action = 'auth.enrolment_claim' AND e.request_id = 'r-enrol-limited'
			ORDER BY e.seq`.execute(database.owner);
		expect(rows).toEqual([
			{
				result: 'denied',
				ip: '192.0.2.77',
				payload: { reason: 'rate_limited', realm: 'resident', portalSeq: expect.any(String) }
			}
		]);
	});

	it('keeps nothing of a claim once it is taken in: no code, no birth date, no desk link', async () => {
		const person = await letter('1979-11-23');
		const phone = sha256(`scrubbed-${person.atena}`);
		await claim(phone, person.code, '1979-11-23');
		const walkIn = await letter();
		const clerk = await insertTestStaff(database.owner, city, {
			loginId: `desk-scrub-${walkIn.atena}`
		});
		const desk = await issueDeskLink(database.owner, {
			municipalityCode: city,
			atenaNumber: walkIn.atena,
			identityDocuments: ['photo_id'],
			issuedBy: clerk.id,
			now: new Date()
		});
		const other = sha256(`scrubbed-desk-${person.atena}`);
		await sendEnrolmentClaim(zone.portal, anonymous, {
			claim: { by: 'desk', token: desk.token },
			ceremonyHash: other,
			client
		});
		const bodies = () =>
			zone.owner
				.selectFrom('exchange_item')
				.select(['body', 'taken_at'])
				.where('kind', '=', 'enrolment_claim')
				.where('resident_account_id', 'is', null)
				.orderBy('seq', 'desc')
				.limit(2)
				.execute();
		// While it waits, the portal holds what the back office must check.
		expect(JSON.stringify(await bodies())).toContain(person.code);
		await pullOnce(database.backoffice, peer);
		const kept = await bodies();
		expect(kept.every((row) => row.taken_at !== null)).toBe(true);
		const text = JSON.stringify(kept);
		for (const secret of [person.code, '1979-11-23', desk.token, '192.0.2.40'])
			expect(text).not.toContain(secret);
		// What the pages still need is there: how the claim was made, and the answer.
		expect(await standing(phone)).toMatchObject({ step: 'accepted' });
		expect(await standing(other)).toMatchObject({ step: 'accepted' });
	});

	it('refuses a passkey a compromised portal forwards for a claim never accepted, or with its own challenge', async () => {
		const { person, phone, accepted } = await acceptedClaim('forged');
		const soft = newSoftCredential(randomBytes(32));
		const forged = {
			// A claim the back office never saw.
			noClaim: await forgeEnrolment('enrolment_registration', {
				claimId: randomUUID(),
				response: softRegistration(soft, {
					challenge: accepted.options.challenge,
					origin: rp.origin,
					rpId: rp.rpId
				}),
				locale: 'ja'
			}),
			// The accepted claim, but a challenge the portal chose.
			ownChallenge: await forgeEnrolment('enrolment_registration', {
				claimId: accepted.claimId,
				response: softRegistration(soft, {
					challenge: randomBytes(32).toString('base64url'),
					origin: rp.origin,
					rpId: rp.rpId
				}),
				locale: 'ja'
			}),
			// Made without user verification.
			noUserVerification: await forgeEnrolment('enrolment_registration', {
				claimId: accepted.claimId,
				response: softRegistration(soft, {
					challenge: accepted.options.challenge,
					origin: rp.origin,
					rpId: rp.rpId,
					userVerified: false
				}),
				locale: 'ja'
			}),
			// A claim that names an account.
			fromAccount: await forgeEnrolment(
				'enrolment_claim',
				{
					claimId: randomUUID(),
					claim: { by: 'letter', code: person.code, birthDate: '1990-04-01' }
				},
				(await resident()).accountId
			)
		};
		const report = await pullOnce(database.backoffice, peer);
		expect(report.results.map((result) => result.outcome)).toEqual(
			Object.values(forged).map(() => 'refused')
		);
		const refusals = await database.owner
			.selectFrom('exchange_intake')
			.select('refusal')
			.where('seq', 'in', Object.values(forged))
			.orderBy('seq')
			.execute();
		expect(refusals.map((row) => row.refusal)).toEqual([
			'enrolment: no claim held',
			expect.stringMatching(/^registration: challenge_/),
			'registration: user_verification',
			'malformed: an enrolment from an account'
		]);
		const bound = await database.owner
			.selectFrom('webauthn_credential')
			.select('id')
			.where('credential_id', '=', soft.id)
			.execute();
		expect(bound).toEqual([]);
		// The genuine resident can still register: a refused passkey used up nothing.
		const account = await database.owner
			.selectFrom('resident_account')
			.select('user_handle')
			.where('atena_number', '=', person.atena)
			.executeTakeFirstOrThrow();
		const own = newSoftCredential(account.user_handle);
		await sendEnrolmentRegistration(zone.portal, anonymous, {
			ceremonyHash: phone,
			response: softRegistration(own, {
				challenge: accepted.options.challenge,
				origin: rp.origin,
				rpId: rp.rpId
			}),
			locale: 'en',
			rp,
			policy
		});
		await pullOnce(database.backoffice, peer);
		expect(await standing(phone)).toMatchObject({ step: 'registered' });
	});

	it('is checked on the portal first: a passkey for another site is said at once and never sent', async () => {
		const { phone, accepted } = await acceptedClaim('site');
		const soft = newSoftCredential(randomBytes(32));
		const failure = await sendEnrolmentRegistration(zone.portal, anonymous, {
			ceremonyHash: phone,
			response: softRegistration(soft, {
				challenge: accepted.options.challenge,
				origin: 'https://evil.example',
				rpId: rp.rpId
			}),
			locale: 'ja',
			rp,
			policy
		}).catch((error: AuthFailure) => error.reason);
		expect(failure).toBe('origin');
		expect(await standing(phone)).toMatchObject({ step: 'accepted', registration: 'none' });
		// Another browser has no claim to register for.
		const other = await sendEnrolmentRegistration(zone.portal, anonymous, {
			ceremonyHash: sha256('another browser'),
			response: {},
			locale: 'ja',
			rp,
			policy
		}).catch((error: AuthFailure) => error.reason);
		expect(other).toBe('enrolment_missing');
	});
});

describe('a forged item that carries what the audit log refuses', () => {
	it('is refused like any other, and does not stop the items after it', async () => {
		const holder = await resident();
		const genuine = await signConsent(holder);
		const wire = actOnTheWire('consent', genuine, new Date());
		// The challenge in clientDataJSON is the forger's to choose: here a 12-digit number with a
		// valid check digit, which the signature library echoes in its error message.
		const number = `12345678901${myNumberCheckDigit('12345678901')}`;
		const clientData = JSON.parse(Buffer.from(wire.clientDataJSON, 'base64url').toString());
		const poisoned = await forge(holder.accountId, {
			act: {
				...wire,
				clientDataJSON: Buffer.from(JSON.stringify({ ...clientData, challenge: number })).toString(
					'base64url'
				)
			}
		});
		const { seq: after } = await sendSignedAct(zone.portal, callerOf(holder), {
			kind: 'consent',
			act: genuine,
			signedAt: new Date()
		});
		const report = await pullOnce(database.backoffice, peer);
		expect(report.results).toEqual([
			{ seq: poisoned, outcome: 'refused', already: false },
			{ seq: after, outcome: 'applied', already: false }
		]);
		const kept = await database.owner
			.selectFrom('exchange_intake')
			.select('refusal')
			.where('seq', '=', poisoned)
			.executeTakeFirstOrThrow();
		expect(kept.refusal).toMatch(/^signature/);
		expect(kept.refusal).not.toContain(number);
	});
});

/** A reissue draft filled in to its last step, as the wizard leaves it. */
async function readyDraft(holder: Holder, reason = 'lost') {
	const now = new Date();
	const draft = await createDraft(database.portal, {
		municipalityCode: city,
		accountId: holder.accountId,
		kind: 'reissue',
		now
	});
	const [self] = await representedPeople(database.portal, callerOf(holder), now);
	await saveDraft(
		database.portal,
		draft,
		{ person: self!.ref, dose: 'MR:2', reason, delivery: 'mail' },
		{ subjectAtenaNumber: holder.atena, now }
	);
	return draft.id;
}

/** A submission or withdrawal signed and sent as the portal's route does it. */
async function transitionSent(holder: Holder, id: string, kind: 'submit' | 'withdraw') {
	const payload = await transitionToSign(database.portal, callerOf(holder), {
		id,
		kind,
		locale: 'ja'
	});
	const act = await signAs(holder, kind, payload);
	const { seq } = await sendSignedAct(zone.portal, callerOf(holder), {
		kind,
		act,
		signedAt: new Date(),
		objectId: id
	});
	return { seq, act };
}

const applicationRow = (id: string) =>
	database.owner
		.selectFrom('application')
		.select(['status', 'reference', 'current_version'])
		.where('id', '=', id)
		.executeTakeFirstOrThrow();

const versionsOf = async (id: string) =>
	database.owner
		.selectFrom('application_version')
		.select(['version', 'signed_act_id', 'payload'])
		.where('application_id', '=', id)
		.execute();

describe('submissions and withdrawals through the exchange', () => {
	it('submits once on the back office, from the act verified again, with its reference', async () => {
		const holder = await resident();
		const id = await readyDraft(holder);
		const sent = await transitionSent(holder, id, 'submit');
		expect(sent.seq).not.toBeNull();
		// Not submitted until the back office takes it in.
		expect(await applicationRow(id)).toMatchObject({ status: 'draft', reference: null });

		const report = await pullOnce(database.backoffice, peer);
		expect(report.results).toEqual([{ seq: sent.seq, outcome: 'applied', already: false }]);
		expect(await portalOutcome(sent.seq!)).toBe('applied');
		const row = await applicationRow(id);
		expect(row).toMatchObject({ status: 'submitted', current_version: 1 });
		expect(row.reference).toMatch(/^R\d{8}-\d{6}$/);
		const [version] = await versionsOf(id);
		expect(JSON.parse(version!.payload)).toMatchObject({ application_id: id, reason: 'lost' });
		expect(await reverifySignedAct(database.backoffice, version!.signed_act_id)).toMatchObject({
			valid: true
		});
		const { rows } = await sql<{ action: string; ip: string | null }>`
			SELECT action, ip FROM audit.entry WHERE object_id IN (${id}, ${version!.signed_act_id})
			ORDER BY seq`.execute(database.owner);
		expect(rows.map((entry) => entry.action)).toEqual(['auth.sign', 'application.submit']);
	});

	it('sends a double tap once, and takes a second signature of a sent draft in as moved', async () => {
		const holder = await resident();
		const id = await readyDraft(holder);
		const first = await transitionSent(holder, id, 'submit');
		// A second tab signed the same draft before the first was taken in: nothing more is sent.
		const second = await transitionSent(holder, id, 'submit');
		expect(second.seq).toBeNull();
		await pullOnce(database.backoffice, peer);
		expect(await portalOutcome(first.seq!)).toBe('applied');

		// Signed again and sent after it was taken in (the page was stale): verified, but moved on.
		const payload = JSON.parse(first.act.payload);
		const late = await forge(
			holder.accountId,
			{ act: actOnTheWire('submit', await signAs(holder, 'submit', payload), new Date()) },
			'submit'
		);
		const report = await pullOnce(database.backoffice, peer);
		expect(report.results).toEqual([{ seq: late, outcome: 'moved', already: false }]);
		expect(await versionsOf(id)).toHaveLength(1);
		// No signature stands that did nothing, and no security event is raised.
		expect(await signedActsOf(holder.accountId)).toBe(1);
		const intake = await database.owner
			.selectFrom('exchange_intake')
			.select(['outcome', 'refusal', 'signed_act_id'])
			.where('seq', '=', late)
			.executeTakeFirstOrThrow();
		expect(intake).toEqual({ outcome: 'moved', refusal: null, signed_act_id: null });
		expect(await portalOutcome(late)).toBe('moved');
	});

	it('refuses a submission signed over anything other than the draft as it stands inside', async () => {
		const holder = await resident();
		const id = await readyDraft(holder);
		const payload = await transitionToSign(database.portal, callerOf(holder), {
			id,
			kind: 'submit',
			locale: 'ja'
		});
		// A compromised portal had the resident sign content the draft does not hold.
		const other = { ...(payload as Record<string, unknown>), reason: 'damaged' };
		const changed = await forge(
			holder.accountId,
			{ act: actOnTheWire('submit', await signAs(holder, 'submit', other), new Date()) },
			'submit'
		);
		// Another resident's application, under a genuine signature of its own holder.
		const stranger = await resident();
		const strangers = await forge(
			stranger.accountId,
			{ act: actOnTheWire('submit', await signAs(stranger, 'submit', payload), new Date()) },
			'submit'
		);
		// The kind an item names is not signed: a genuine submission relabelled as a consent or as
		// a withdrawal is neither.
		const genuine = await signAs(holder, 'submit', payload);
		const asConsent = await forge(
			holder.accountId,
			{ act: actOnTheWire('consent', genuine, new Date()) },
			'consent'
		);
		const asWithdrawal = await forge(
			holder.accountId,
			{ act: actOnTheWire('withdraw', genuine, new Date()) },
			'withdraw'
		);
		const report = await pullOnce(database.backoffice, peer);
		expect(report.results.map((result) => result.outcome)).toEqual([
			'refused',
			'refused',
			'refused',
			'refused'
		]);
		expect(await applicationRow(id)).toMatchObject({ status: 'draft' });
		expect(await signedActsOf(holder.accountId)).toBe(0);
		expect(await signedActsOf(stranger.accountId)).toBe(0);
		const reasons = await database.owner
			.selectFrom('exchange_intake')
			.select('refusal')
			.where('seq', 'in', [changed, strangers, asConsent, asWithdrawal])
			.orderBy('seq')
			.execute();
		expect(reasons.map((row) => row.refusal)).toEqual(['payload', 'payload', 'payload', 'payload']);
	});

	it('withdraws once taken in; a withdrawal signed before staff moved the case is moved', async () => {
		const holder = await resident();
		const id = await readyDraft(holder);
		await transitionSent(holder, id, 'submit');
		await pullOnce(database.backoffice, peer);

		const withdrawal = await transitionSent(holder, id, 'withdraw');
		await pullOnce(database.backoffice, peer);
		expect(await portalOutcome(withdrawal.seq!)).toBe('applied');
		expect(await applicationRow(id)).toMatchObject({ status: 'withdrawn' });

		const another = await readyDraft(holder, 'damaged');
		await transitionSent(holder, another, 'submit');
		await pullOnce(database.backoffice, peer);
		const signedEarlier = await transitionSent(holder, another, 'withdraw');
		// Staff took a step in between: the state the withdrawal named is not the case's now.
		await database.owner
			.updateTable('application')
			.set({ status: 'in_review', stage: 'assigned' })
			.where('id', '=', another)
			.execute();
		const report = await pullOnce(database.backoffice, peer);
		expect(report.results).toEqual([{ seq: signedEarlier.seq, outcome: 'moved', already: false }]);
		expect(await applicationRow(another)).toMatchObject({ status: 'in_review' });
	});
});

/** A 開示・訂正・利用停止請求 signed on the portal and sent as its route does it. */
async function requestSent(holder: Holder, form: Record<string, unknown>) {
	const payload = await onlineRequestToSign(zone.portal, callerOf(holder), form);
	const act = await signAs(holder, 'desk_request', payload);
	const { seq } = await sendSignedAct(zone.portal, callerOf(holder), {
		kind: 'desk_request',
		act,
		signedAt: new Date(),
		objectId: signedRequestKey(act.payload)
	});
	return { seq, act, payload };
}

const deskRequestsOf = (atena: string) =>
	database.owner
		.selectFrom('desk_request')
		.select(['reference', 'kind', 'channel', 'signed_act_id', 'request_key'])
		.where('municipality_code', '=', city)
		.where('subject_atena_number', '=', atena)
		.execute();

describe('requests to the desk through the exchange', () => {
	it('registers a signed disclosure request once, with its clock, from what was signed', async () => {
		const holder = await resident();
		const key = randomUUID();
		const form = { kind: 'disclosure', what: '予防接種の記録のすべて', key };
		const first = await requestSent(holder, form);
		await pullOnce(database.backoffice, peer);
		expect(await portalOutcome(first.seq!)).toBe('applied');
		const [registered, ...more] = await deskRequestsOf(holder.atena);
		expect(more).toEqual([]);
		expect(registered).toMatchObject({ kind: 'disclosure', channel: 'online', request_key: key });
		expect(await reverifySignedAct(database.backoffice, registered!.signed_act_id!)).toMatchObject({
			valid: true
		});
		// Published before the acknowledgement: the page the resident returns to confirms it.
		const page = await ownDeskRequests(zone.portal, callerOf(holder), {
			sent: key,
			deadlineDays: 30
		});
		expect(page.done).toBe(registered!.reference);
		expect(page.requests).toEqual([
			expect.objectContaining({
				reference: registered!.reference,
				kind: 'disclosure',
				status: 'open'
			})
		]);

		// Signed again from the same page (its answer was lost): the desk still has one request,
		// the second signature is not kept, and the portal is told it had moved on.
		const again = await requestSent(holder, form);
		await pullOnce(database.backoffice, peer);
		expect(await portalOutcome(again.seq!)).toBe('moved');
		expect(await deskRequestsOf(holder.atena)).toHaveLength(1);
		expect(await signedActsOf(holder.accountId)).toBe(1);
	});

	it('refuses a request about someone else, or a correction that follows no disclosure', async () => {
		const holder = await resident();
		const other = await resident();
		const own = await onlineRequestToSign(zone.portal, callerOf(holder), {
			kind: 'disclosure',
			what: '記録',
			key: randomUUID()
		});
		// A compromised portal has the holder sign a request about another resident.
		const aboutOther = await forge(
			holder.accountId,
			{
				act: actOnTheWire(
					'desk_request',
					await signAs(holder, 'desk_request', { ...own, person: other.atena }),
					new Date()
				)
			},
			'desk_request'
		);
		// …or a correction with no decided disclosure to follow (the portal's check skipped).
		const correction = await forge(
			holder.accountId,
			{
				act: actOnTheWire(
					'desk_request',
					await signAs(holder, 'desk_request', {
						...own,
						kind: 'correction',
						followsDisclosure: randomUUID()
					}),
					new Date()
				)
			},
			'desk_request'
		);
		const report = await pullOnce(database.backoffice, peer);
		expect(report.results.map((result) => result.outcome)).toEqual(['refused', 'refused']);
		expect(await deskRequestsOf(holder.atena)).toEqual([]);
		expect(await deskRequestsOf(other.atena)).toEqual([]);
		const reasons = await database.owner
			.selectFrom('exchange_intake')
			.select('refusal')
			.where('seq', 'in', [aboutOther, correction])
			.execute();
		expect(reasons.map((row) => row.refusal)).toEqual(['payload', 'payload']);
	});
});

describe('what an item carries into the audit log', () => {
	it('a sequence number that reads as a 個人番号 is refused like any item, and stops nothing', async () => {
		const holder = await resident();
		const number = `98765432101${myNumberCheckDigit('98765432101')}`;
		// A compromised portal chooses its own sequence numbers.
		await zone.owner
			.insertInto('exchange_item')
			.values({
				seq: number,
				kind: 'consent',
				resident_account_id: holder.accountId,
				body: JSON.stringify({ act: { kind: 'consent' } })
			})
			.execute();
		const { seq: after } = await consentSent(holder);
		const report = await pullOnce(database.backoffice, peer);
		expect(report.results).toEqual([
			{ seq: after, outcome: 'applied', already: false },
			{ seq: number, outcome: 'refused', already: false }
		]);
		const { rows } = await sql<{ object_id: string }>`
			SELECT object_id FROM audit.entry WHERE action = 'exchange.refuse' AND object_id LIKE ${'%' + number}`.execute(
			database.owner
		);
		expect(rows).toEqual([{ object_id: number.padStart(19, '0') }]);
	});

	it('the request context a portal adds is kept without what the log refuses', async () => {
		const holder = await resident();
		const number = `12345678901${myNumberCheckDigit('12345678901')}`;
		const act = await signConsent(holder);
		const seq = await forge(holder.accountId, {
			act: actOnTheWire('consent', act, new Date()),
			context: {
				requestId: `req-${number}`,
				ip: number,
				userAgent: `Mozilla/5.0 (${number})`,
				sessionHash: number
			}
		});
		const report = await pullOnce(database.backoffice, peer);
		expect(report.results).toEqual([{ seq, outcome: 'applied', already: false }]);
		const { rows } = await sql<Record<string, string | null>>`
			SELECT e.ip, e.user_agent, e.request_id, e.session_hash FROM audit.entry e
			JOIN signed_act s ON s.id::text = e.object_id
			WHERE e.action = 'auth.sign' AND s.resident_account_id = ${holder.accountId}`.execute(
			database.owner
		);
		expect(rows).toHaveLength(1);
		expect(JSON.stringify(rows[0])).not.toContain(number);
		expect(rows[0]!.user_agent).toMatch(/^Mozilla\/5\.0/);
	});
});

const staff = (permissions: string[]) =>
	staffCaller(
		city,
		{ type: 'staff', id: randomUUID(), role: 'test', department: null },
		permissions
	);

describe('what the staff see of the exchange', () => {
	it('lists the refused items for the auditor, with the reason and no account', async () => {
		const holder = await resident();
		const forged = await forge(holder.accountId, { act: { kind: 'consent' } });
		await pullOnce(database.backoffice, peer);
		const auditor = staff(['audit.read']);
		const rows = await exchangeRefusals(database.backoffice, auditor);
		expect(rows.find((row) => row.seq === forged)).toMatchObject({
			kind: 'consent',
			why: 'malformed',
			// The portal by its public origin, whichever address the back office reached it by.
			portal: peer.rp.origin
		});
		// Nothing that names a person or an account.
		expect(JSON.stringify(rows)).not.toContain(holder.accountId);
		await expect(
			exchangeRefusals(database.backoffice, staff(['application.process']))
		).rejects.toThrow();
	});

	it('warns the staff home page when items were taken in later than the setting', async () => {
		const clerk = staff(['application.process']);
		const now = new Date();
		const settings = { now, pulling: true, lagWarnSeconds: 60 };
		// Nothing late yet in this database (every item above was taken in at once).
		expect(await exchangeWarning(database.backoffice, clerk, settings)).toBeNull();
		await database.owner
			.insertInto('exchange_intake')
			.values({
				portal: peer.portalUrl,
				seq: '999999',
				kind: 'consent',
				resident_account_id: null,
				arrived_at: new Date(now.getTime() - 95_000),
				taken_at: new Date(now.getTime() - 5_000),
				outcome: 'refused',
				refusal: 'malformed'
			})
			.execute();
		expect(await exchangeWarning(database.backoffice, clerk, settings)).toEqual({
			kind: 'late',
			seconds: 90
		});
		expect(
			await exchangeWarning(database.backoffice, clerk, { ...settings, lagWarnSeconds: 120 })
		).toBeNull();
	});
});

describe("the portal's exchange endpoints", () => {
	const itemsUrl = () => `${peer.portalUrl}/exchange/v1/items?limit=10&wait=0`;
	const ackUrl = () => `${peer.portalUrl}/exchange/v1/ack`;

	it('answer only requests signed with the back office’s key', async () => {
		expect((await fetch(itemsUrl())).status).toBe(401);
		const impostor = ed25519Signer({ id: backOfficeKey.id, key: randomBytes(32) });
		const forgedHeaders = await signedHeaders(impostor, {
			method: 'GET',
			url: itemsUrl(),
			body: ''
		});
		expect((await fetch(itemsUrl(), { headers: forgedHeaders })).status).toBe(401);
		const genuine = await signedHeaders(backOfficeKey, {
			method: 'GET',
			url: itemsUrl(),
			body: ''
		});
		expect((await fetch(itemsUrl(), { headers: genuine })).status).toBe(200);
	});

	it('refuse a request seen before, a stale one, and a body other than the one signed', async () => {
		const headers = await signedHeaders(backOfficeKey, {
			method: 'GET',
			url: itemsUrl(),
			body: ''
		});
		expect((await fetch(itemsUrl(), { headers })).status).toBe(200);
		expect((await fetch(itemsUrl(), { headers })).status).toBe(401);

		const stale = await signedHeaders(
			backOfficeKey,
			{ method: 'GET', url: itemsUrl(), body: '' },
			new Date(Date.now() - 120_000)
		);
		expect((await fetch(itemsUrl(), { headers: stale })).status).toBe(401);

		const holder = await resident();
		const { seq } = await consentSent(holder);
		const signedBody = JSON.stringify({ outcomes: [{ seq, outcome: 'applied' }] });
		const ackHeaders = await signedHeaders(backOfficeKey, {
			method: 'POST',
			url: ackUrl(),
			body: signedBody
		});
		const tampered = await fetch(ackUrl(), {
			method: 'POST',
			headers: { ...ackHeaders, 'content-type': 'application/json' },
			body: signedBody.replace('applied', 'refused')
		});
		expect(tampered.status).toBe(401);
		expect(await portalOutcome(seq)).toBeNull();
		// A signed path is not another path: the items request's signature does not open the ack.
		const itemsHeaders = await signedHeaders(backOfficeKey, {
			method: 'POST',
			url: itemsUrl(),
			body: signedBody
		});
		const moved = await fetch(ackUrl(), {
			method: 'POST',
			headers: { ...itemsHeaders, 'content-type': 'application/json' },
			body: signedBody
		});
		expect(moved.status).toBe(401);
		await pullOnce(database.backoffice, peer);
	});
});
