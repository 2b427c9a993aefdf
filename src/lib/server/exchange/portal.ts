// The portal's side of the exchange (docs/zones.md): what a resident does that the back office
// must take in is written here as an item in the portal's own database; the back office — the
// only side that opens a connection — lists the items not yet taken and acknowledges each with
// its outcome, through requests it signs and this side verifies with the public key alone.
import { sql } from 'kysely';
import { requireResident, type Caller } from '../audit/caller';
import { AuthFailure } from '../auth/failures';
import { relyingParty } from '../auth/relying-party';
import { portalStore } from '../auth/stores';
import { verifySigning, type RawSignedAct } from '../auth/signing';
import { canonicalJson } from '../audit/chain';
import type { PublicKeys } from '../crypto/ed25519';
import type { PortalZoneExecutor } from '../db';
import { servedMunicipality } from '../municipality/served';
import { addItem } from '../zone/items';
import { applyProjection } from '../zone/projection';
import { projectionBatch } from '../zone/shapes';
import {
	acknowledgement,
	actOnTheWire,
	outcomes,
	type ExchangeKind,
	type SignedActItemBody,
	type SignedActItemKind,
	type ListedItem,
	type Outcome
} from './items';
import { signatureLifetimeSeconds, verifySignedRequest } from './signature';

/**
 * A signed act the portal has verified once (the challenge it issued, the credential it knows),
 * kept for the back office, which verifies it again against the credential it holds itself.
 * An act about one thing (an application) is sent once while it waits: a second one for the same
 * thing — a double tap, a second tab — finds the first waiting and adds nothing (`sent: false`).
 * @audit none here — the back office audits the act when it takes it in (an act that never
 * arrives there did nothing).
 */
export async function sendSignedAct(
	zone: PortalZoneExecutor,
	caller: Caller,
	input: { kind: SignedActItemKind; act: RawSignedAct; signedAt: Date; objectId?: string }
): Promise<{ seq: string | null }> {
	requireResident(caller);
	const body: SignedActItemBody = {
		act: actOnTheWire(input.kind, input.act, input.signedAt),
		...(caller.context ? { context: caller.context } : {})
	};
	return {
		seq: await addItem(zone, {
			kind: input.kind,
			resident_account_id: caller.id,
			body: JSON.stringify(body),
			arrived_at: input.signedAt,
			object_id: input.objectId ?? null
		})
	};
}

/**
 * What an endpoint expects to have been signed: its kind, and where the server built what is
 * signed (an application's submission or withdrawal), exactly that payload.
 */
export type ExpectedAct = { kind: SignedActItemKind; payload?: unknown };

/**
 * A signed act that travels to the back office (issue 27): verified here once (the challenge this
 * portal issued, the credential as the back office published it, the kind the endpoint signs and, where the server built
 * what is signed, exactly that content), then kept in the portal zone's database for the back
 * office, which verifies it again against its own credential, stores it and audits it. `about`
 * names what the act is about (an application, a desk request's one-time key), read from what was
 * signed: one item per thing waits at a time. Answers 'sent' (waiting to be taken in).
 * @audit none here — the back office audits the act when it takes it in; a failed ceremony is
 * audited by the route's ceremony step (http/ceremony.ts)
 */
export async function sendSignedActInside(
	zone: PortalZoneExecutor,
	caller: Caller,
	input: {
		response: unknown;
		ceremonyHash: Buffer;
		expected: ExpectedAct;
		about?: (payload: string) => string | undefined;
		now?: Date;
	}
): Promise<{
	kind: SignedActItemKind;
	state: 'sent';
	about: string | undefined;
	/** The item's sequence; null when one about the same thing was waiting already. */
	seq: string | null;
}> {
	requireResident(caller);
	const city = await servedMunicipality();
	const now = input.now ?? new Date();
	const { kind, act } = await verifySigning(
		portalStore(zone, caller.context),
		relyingParty(city, 'resident'),
		{ accountId: caller.id, ceremonyHash: input.ceremonyHash, response: input.response, now }
	);
	const { expected } = input;
	// A challenge given for another endpoint's act is not this one's to send.
	if (kind !== expected.kind)
		throw new AuthFailure('malformed', `${kind} signed for ${expected.kind}`);
	if ('payload' in expected && act.payload !== canonicalJson(expected.payload)) {
		// Signed over something other than the application as it stands now (changed meanwhile).
		throw new AuthFailure('challenge_mismatch', `${expected.kind} payload`);
	}
	const about = input.about?.(act.payload);
	const { seq } = await sendSignedAct(zone, caller, {
		kind: expected.kind,
		act,
		signedAt: now,
		objectId: about
	});
	return { kind: expected.kind, state: 'sent', about, seq };
}

/**
 * Where one of the resident's items stands once the back office has taken it in, or as it is
 * after `waitMs`: a page that sent it can say the outcome in the same response when it comes
 * within a few seconds.
 * @audit none — the resident's own item, read back while they wait
 */
export async function awaitOwnItem(
	zone: PortalZoneExecutor,
	caller: Caller,
	input: { seq: string; waitMs: number; pollMs?: number }
): Promise<'sent' | Outcome> {
	requireResident(caller);
	const until = Date.now() + input.waitMs;
	for (;;) {
		const row = await zone
			.selectFrom('exchange_item')
			.select('outcome')
			.where('seq', '=', input.seq)
			.where('resident_account_id', '=', caller.id)
			.executeTakeFirst();
		const state = (row?.outcome as Outcome | null | undefined) ?? 'sent';
		if (state !== 'sent' || Date.now() >= until) return state;
		await new Promise((resolve) => setTimeout(resolve, input.pollMs ?? 100));
	}
}

export type ObjectStanding = {
	kind: ExchangeKind;
	state: 'sent' | Outcome;
	at: string;
};

/**
 * The resident's latest item about one thing (an application, a desk request's one-time key) or
 * of one kind, and where it stands: sent and waiting to be taken in, applied, refused (it did not
 * verify inside; the back office keeps why) or moved (what it was about had moved on). Null when
 * nothing was ever sent.
 * @audit none — the resident's own item, read back on their own page (the page audits its view).
 */
export async function objectStanding(
	zone: PortalZoneExecutor,
	caller: Caller,
	objectId: string
): Promise<ObjectStanding | null> {
	return latestOwnItem(zone, caller, { objectId });
}

async function latestOwnItem(
	zone: PortalZoneExecutor,
	caller: Caller,
	about: { objectId?: string; kind?: ExchangeKind }
): Promise<ObjectStanding | null> {
	requireResident(caller);
	const row = await zone
		.selectFrom('exchange_item')
		.select(['kind', 'arrived_at', 'outcome'])
		.where('resident_account_id', '=', caller.id)
		.$if(about.objectId !== undefined, (query) => query.where('object_id', '=', about.objectId!))
		.$if(about.kind !== undefined, (query) => query.where('kind', '=', about.kind!))
		.orderBy('seq', 'desc')
		.executeTakeFirst();
	if (!row) return null;
	return {
		kind: row.kind as ExchangeKind,
		state: (row.outcome as Outcome | null) ?? 'sent',
		at: row.arrived_at.toISOString()
	};
}

export type ConsentStanding =
	{ state: 'given' | 'sent' | 'refused'; at: string } | { state: 'none'; at: null };

/**
 * Where the resident's agreement stands: sent and waiting to be taken in, given (the back office
 * holds the signed act: `consentedAt`), or refused inside (it did not verify), or never signed.
 * @audit none — the resident's own item, on their own page (the page audits its view).
 */
export async function consentStanding(
	zone: PortalZoneExecutor,
	caller: Caller,
	consentedAt: string | null
): Promise<ConsentStanding> {
	const sent = await latestOwnItem(zone, caller, { kind: 'consent' });
	if (sent?.state === 'sent') return { state: 'sent', at: sent.at };
	if (consentedAt) return { state: 'given', at: consentedAt };
	if (sent?.state === 'refused') return { state: 'refused', at: sent.at };
	return { state: 'none', at: null };
}

/** Items not taken yet, in sequence order; waits up to `waitMs` for the first to arrive. */
export async function waitingItems(
	zone: PortalZoneExecutor,
	input: { limit: number; waitMs: number; pollMs?: number; signal?: AbortSignal }
): Promise<ListedItem[]> {
	const until = Date.now() + input.waitMs;
	for (;;) {
		const rows = await zone
			.selectFrom('exchange_item')
			.select(['seq', 'kind', 'resident_account_id', 'body', 'arrived_at'])
			.where('taken_at', 'is', null)
			.orderBy('seq')
			.limit(input.limit)
			.execute();
		if (rows.length > 0 || Date.now() >= until || input.signal?.aborted) {
			return rows.map((row) => ({
				seq: String(row.seq),
				kind: row.kind,
				residentAccountId: row.resident_account_id,
				body: row.body,
				arrivedAt: row.arrived_at.toISOString()
			}));
		}
		await new Promise((resolve) => setTimeout(resolve, input.pollMs ?? 200));
	}
}

/**
 * What the portal keeps of an item once it has been taken: its receipt, not what it carried (the
 * code and birth date of a claim, a desk link's secret, a signed act, the address). The back
 * office holds its own verified copy; the portal zone is the one the internet reaches. A claim
 * keeps how it was made, which its page says.
 */
const receipt = sql<string>`CASE WHEN kind = 'enrolment_claim'
	THEN jsonb_build_object('claim', jsonb_build_object('by', body #> '{claim,by}'))
	ELSE '{}'::jsonb END`;

/**
 * Marks items taken with their outcome (and the back office's answer, where it gave one), keeping
 * only their receipt; an item already marked keeps its first outcome and answer.
 */
export async function acknowledge(
	zone: PortalZoneExecutor,
	input: {
		outcomes: { seq: string; outcome: Outcome; answer?: Record<string, unknown> }[];
		now: Date;
	}
): Promise<number> {
	let marked = 0;
	for (const answered of input.outcomes.filter((item) => item.answer)) {
		const result = await zone
			.updateTable('exchange_item')
			.set({
				taken_at: input.now,
				outcome: answered.outcome,
				answer: JSON.stringify(answered.answer),
				body: receipt
			})
			.where('seq', '=', answered.seq)
			.where('taken_at', 'is', null)
			.executeTakeFirst();
		marked += Number(result.numUpdatedRows);
	}
	for (const outcome of outcomes) {
		const seqs = input.outcomes
			.filter((item) => item.outcome === outcome && !item.answer)
			.map((item) => item.seq);
		if (seqs.length === 0) continue;
		const result = await zone
			.updateTable('exchange_item')
			.set({ taken_at: input.now, outcome, body: receipt })
			.where('seq', 'in', seqs)
			.where('taken_at', 'is', null)
			.executeTakeFirst();
		marked += Number(result.numUpdatedRows);
	}
	return marked;
}

/** A nonce seen once within the signature's lifetime; false for a replay. */
async function firstUseOf(zone: PortalZoneExecutor, nonce: string, now: Date): Promise<boolean> {
	const cutoff = new Date(now.getTime() - 2 * signatureLifetimeSeconds * 1000);
	await zone.deleteFrom('exchange_request_nonce').where('seen_at', '<', cutoff).execute();
	const inserted = await sql<{ nonce: string }>`
		INSERT INTO exchange_request_nonce (nonce, seen_at) VALUES (${nonce}, ${now})
		ON CONFLICT (nonce) DO NOTHING RETURNING nonce`.execute(zone);
	return inserted.rows.length === 1;
}

const json = (status: number, body: unknown) =>
	new Response(JSON.stringify(body), {
		status,
		headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }
	});

/** The portal's endpoints the back office calls: its items, their acknowledgement, the projection. */
export type ExchangeEndpoint = 'items' | 'ack' | 'projection';

/**
 * The exchange's endpoints, for the route and for tests that run them over real HTTP: a request
 * that is not signed by the back office's key, is stale, or was seen before is answered 401 and
 * does nothing.
 */
export async function answerExchange(
	zone: PortalZoneExecutor,
	keys: PublicKeys,
	endpoint: ExchangeEndpoint,
	request: Request,
	now = new Date()
): Promise<Response> {
	const body = request.method === 'GET' ? '' : await request.text();
	const verdict = await verifySignedRequest(
		keys,
		{ method: request.method, url: request.url, headers: request.headers, body },
		now
	);
	if (!verdict.ok) return json(401, { error: 'unauthorized' });
	if (!(await firstUseOf(zone, verdict.nonce, now))) return json(401, { error: 'replayed' });
	if (endpoint === 'items') {
		if (request.method !== 'GET') return json(405, { error: 'method' });
		const url = new URL(request.url);
		const limit = Math.min(Math.max(Number(url.searchParams.get('limit')) || 100, 1), 500);
		const waitSeconds = Math.min(Math.max(Number(url.searchParams.get('wait')) || 0, 0), 25);
		const items = await waitingItems(zone, {
			limit,
			waitMs: waitSeconds * 1000,
			signal: request.signal
		});
		return json(200, { items });
	}
	if (request.method !== 'POST') return json(405, { error: 'method' });
	let sent: unknown;
	try {
		sent = JSON.parse(body);
	} catch {
		return json(400, { error: 'malformed' });
	}
	if (endpoint === 'projection') {
		const batch = projectionBatch.safeParse(sent);
		if (!batch.success) return json(400, { error: 'malformed' });
		return json(200, { applied: await applyProjection(zone, batch.data.changes, now) });
	}
	const parsed = acknowledgement.safeParse(sent);
	if (!parsed.success) return json(400, { error: 'malformed' });
	const marked = await acknowledge(zone, { outcomes: parsed.data.outcomes, now });
	return json(200, { marked });
}
