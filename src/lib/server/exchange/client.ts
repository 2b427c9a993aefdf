// The back office's pull (docs/zones.md): it alone opens the connection, asks the portal for the
// items not yet taken (a long poll: the portal answers as soon as one arrives, or after `wait`
// seconds with none), takes each in (intake.ts), and acknowledges the outcomes after they are
// committed. A crash between the commit and the acknowledgement takes the same items again, and
// the intake's key turns them into no-ops; a portal that is down or cut off is tried again after
// a pause, and nothing is lost on either side.
import type { Ed25519Signer } from '../crypto/ed25519';
import type { Database } from '../db';
import { takeInAll, type IntakeResult, type ResidentRelyingParty } from './intake';
import { itemList, type ListedItem } from './items';
import { markAccess, publishAll, PublicationRefused, setAsideDue } from './publish';
import { signedHeaders } from './signature';

export type ExchangePeer = {
	/** The portal's origin as the back office reaches it (a relay's address, or the portal's own). */
	portalUrl: string;
	signer: Ed25519Signer;
	rp: ResidentRelyingParty;
	municipalityCode: string;
};

export class ExchangeUnavailable extends Error {
	override name = 'ExchangeUnavailable';
}

/** The portal answered, with an error status (a refusal, or a failure on its side). */
class ExchangeAnswered extends ExchangeUnavailable {
	constructor(readonly status: number) {
		super(`portal answered ${status}`);
	}
}

/**
 * What the portal answers to a publication it will not take however often it is sent: a body it
 * does not read as a batch (400), one too large (413). A signature refused (401) or a failure on
 * its side (5xx) is tried again like an unreachable portal.
 */
const refusedPublication = new Set([400, 413, 422]);

async function call(
	peer: ExchangePeer,
	method: 'GET' | 'POST',
	pathAndQuery: string,
	body: string,
	timeoutMs: number,
	stop?: AbortSignal
): Promise<unknown> {
	const url = new URL(pathAndQuery, peer.portalUrl).href;
	const headers = await signedHeaders(peer.signer, { method, url, body });
	let response: Response;
	try {
		response = await fetch(url, {
			method,
			headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) },
			body: method === 'POST' ? body : undefined,
			signal: stop
				? AbortSignal.any([AbortSignal.timeout(timeoutMs), stop])
				: AbortSignal.timeout(timeoutMs),
			redirect: 'error'
		});
	} catch (error) {
		throw new ExchangeUnavailable(`portal unreachable: ${(error as Error).message}`);
	}
	if (!response.ok) throw new ExchangeAnswered(response.status);
	return response.json();
}

/** Sends the marked projection changes to the portal (publish.ts), until none is left. */
export function publishTo(db: Database, peer: ExchangePeer, now?: () => Date): Promise<number> {
	return publishAll(
		db,
		async (changes) => {
			try {
				await call(peer, 'POST', '/exchange/v1/projection', JSON.stringify({ changes }), 15_000);
			} catch (error) {
				if (error instanceof ExchangeAnswered && refusedPublication.has(error.status))
					throw new PublicationRefused(error.message);
				throw error;
			}
		},
		now
	);
}

export type PullReport = { listed: number; results: IntakeResult[]; acknowledged: boolean };

/**
 * One round: list, take in, acknowledge. `waitSeconds` > 0 holds the request open until an item
 * arrives (the lag stays well under a second without polling the portal's database from here).
 */
export async function pullOnce(
	db: Database,
	peer: ExchangePeer,
	options: {
		limit?: number;
		waitSeconds?: number;
		now?: () => Date;
		stop?: AbortSignal;
		/** Batches taken in side by side (each account's items stay in one). */
		concurrency?: number;
	} = {}
): Promise<PullReport> {
	const limit = options.limit ?? 200;
	const waitSeconds = options.waitSeconds ?? 0;
	const listed = itemList.safeParse(
		await call(
			peer,
			'GET',
			`/exchange/v1/items?limit=${limit}&wait=${waitSeconds}`,
			'',
			(waitSeconds + 15) * 1000,
			options.stop
		)
	);
	if (!listed.success) throw new ExchangeUnavailable('the portal answered a list we cannot read');
	const items: ListedItem[] = listed.data.items;
	// One account's items in their order and in one batch (a withdrawal after its submission);
	// the batches side by side, each one transaction: a take-in waits mostly on the database.
	const batches: ListedItem[][] = Array.from(
		{ length: Math.min(options.concurrency ?? 4, items.length) },
		() => []
	);
	const batchOf = new Map<string, number>();
	for (const item of items) {
		// An enrolment comes from no account yet: each item is its own.
		const key = item.residentAccountId ?? `seq:${item.seq}`;
		const index = batchOf.get(key) ?? batchOf.size % Math.max(batches.length, 1);
		batchOf.set(key, index);
		batches[index]!.push(item);
	}
	const taken = new Map<string, IntakeResult>();
	await Promise.all(
		batches.map(async (batch) => {
			const results = await takeInAll(db, {
				// The portal by its public origin, not by the address that reached it: a relay
				// changed between networks must not make its items new again.
				portal: peer.rp.origin,
				items: batch,
				rp: peer.rp,
				municipalityCode: peer.municipalityCode,
				now: options.now?.() ?? new Date()
			});
			for (const result of results) taken.set(result.seq, result);
		})
	);
	const results = items.map((item) => taken.get(item.seq)!);
	if (results.length === 0) return { listed: 0, results, acknowledged: false };
	// What the items changed reaches the portal before the portal hears they were taken in: a
	// resident told "enrolled" or "received" then finds the page that follows already published.
	await publishTo(db, peer, options.now);
	await call(
		peer,
		'POST',
		'/exchange/v1/ack',
		JSON.stringify({
			outcomes: results.map((result) => ({
				seq: result.seq,
				outcome: result.outcome,
				...(result.answer ? { answer: result.answer } : {})
			}))
		}),
		15_000
	);
	return { listed: items.length, results, acknowledged: true };
}

export type ExchangeHealth = {
	state: 'off' | 'ok' | 'failing';
	startedAt: Date | null;
	lastOkAt: Date | null;
};

let health: ExchangeHealth = {
	state: 'off',
	startedAt: null,
	lastOkAt: null
};

export function exchangeHealth(): ExchangeHealth {
	return { ...health };
}

function log(event: string, detail: Record<string, unknown>) {
	console.error(JSON.stringify({ level: 'error', event, ...detail }));
}

/**
 * Pulls for as long as the process runs: a long poll after another, a pause of `retryMs` after a
 * failure. The returned function stops it (and waits for the round in progress).
 */
export function startExchange(
	db: Database,
	peer: ExchangePeer,
	options: { waitSeconds?: number; retryMs?: number; publishEveryMs?: number } = {}
): () => Promise<void> {
	const stopping = new AbortController();
	health = { state: 'ok', startedAt: new Date(), lastOkAt: null };
	// A pause that stopping cuts short; its listener goes when it ends (the publisher pauses four
	// times a second, and listeners left behind would pile up for as long as the process runs).
	const pause = (ms: number) =>
		new Promise<void>((resolve) => {
			const wake = () => (clearTimeout(timer), resolve());
			const timer = setTimeout(() => {
				stopping.signal.removeEventListener('abort', wake);
				resolve();
			}, ms);
			stopping.signal.addEventListener('abort', wake, { once: true });
		});
	// What staff and batches change is published as soon as it is marked (a cheap look every
	// publishEveryMs); the pull publishes what its own items changed before acknowledging them.
	// What was set aside is tried again ten minutes on, marks or not: a look once a minute.
	let retryLookAt = 0;
	const retryDue = async () => {
		if (Date.now() < retryLookAt) return false;
		retryLookAt = Date.now() + 60_000;
		return setAsideDue(db);
	};
	const publishing = (async () => {
		while (!stopping.signal.aborted) {
			try {
				if ((await markAccess(db)) || (await retryDue())) await publishTo(db, peer);
				await pause(options.publishEveryMs ?? 250);
			} catch (error) {
				if (stopping.signal.aborted) break;
				health.state = 'failing';
				log('exchange_publish_failed', { error: (error as Error).message });
				await pause(options.retryMs ?? 2_000);
			}
		}
	})();
	const loop = (async () => {
		while (!stopping.signal.aborted) {
			try {
				await pullOnce(db, peer, {
					waitSeconds: options.waitSeconds ?? 20,
					stop: stopping.signal
				});
				health.state = 'ok';
				health.lastOkAt = new Date();
			} catch (error) {
				if (stopping.signal.aborted) break;
				health.state = 'failing';
				log('exchange_pull_failed', { error: (error as Error).message });
				await pause(options.retryMs ?? 2_000);
			}
		}
	})();
	return async () => {
		// The long poll in flight is cut; a take-in in flight finishes (its transaction is whole).
		stopping.abort();
		await Promise.all([loop, publishing]);
		health.state = 'off';
	};
}
