// The back office's publisher (issue 27, docs/zones.md): what the portal shows is built here from
// the tables as they stand and sent to the portal's signed endpoint. Triggers mark what a change
// touched (migrations 0044–0046; staff entries in the audit log mark through a cursor); a round
// takes the marks, builds each account's view, each city's catalogue, each released document's
// file, each sent application's page, each account's access logs, each city's settings and each resident's passkey once,
// sends them under a
// new version, and removes the marks it sent — in one transaction, so a round that fails (the
// portal unreachable) leaves its marks for the next. A mark made while a round is under way is
// above the ones read, stays, and is sent next round.
import { sql } from 'kysely';
import type { Database, Executor } from '../db';
import { applicationRows, applicationViews } from '../applications/projection';
import { credentialViews } from '../auth/projection';
import { deskViews } from '../desk/projection';
import { signingKeysViewOf, verificationViews } from '../documents/projection';
import { cityViewOf } from '../municipality/projection';
import { accessViews, accountViews, catalogueViewOf, documentViews } from '../residents/projection';
import {
	projectionTopics,
	topicShapes,
	type ProjectionChange,
	type ProjectionTopic
} from '../zone/shapes';

/** How many marks one round takes. */
const roundSize = 300;
/** How long a change set aside waits before a round tries it again, and how many a round tries. */
export const retrySetAsideMs = 10 * 60_000;
const retriesPerRound = 50;
/** The most one publication POST carries (the portal takes 32 MB as deployed: well under it). */
const batchBytes = 4 * 1024 * 1024;

/**
 * Thrown by a round's `send` when the portal answered and refused the batch (its shape, its size):
 * sending it again would be refused again, so the round sets aside what the portal will not take
 * instead of holding up every change marked after it (client.ts maps the portal's answer).
 */
export class PublicationRefused extends Error {
	override name = 'PublicationRefused';
}

/** Why a change's body does not fit its topic's shape (the field and the check, no value), or null. */
export function shapeProblem(change: ProjectionChange): string | null {
	if (change.body === null) return null;
	const parsed = topicShapes[change.topic].safeParse(change.body);
	if (parsed.success) return null;
	const issue = parsed.error.issues[0]!;
	return `${issue.path.join('.') || '(body)'} ${issue.code}`.slice(0, 180);
}

type SetAside = { change: ProjectionChange; reason: string };
const sameKey = (a: ProjectionChange, b: ProjectionChange) =>
	a.topic === b.topic && a.key === b.key;

/** What a round builds for one topic: each key's body as it stands (null: taken off the portal). */
type Builder = (
	db: Executor,
	keys: readonly string[],
	now: Date
) => Promise<Map<string, Record<string, unknown> | null>>;

/** A topic built one key at a time (a city's catalogue, settings, keys). */
const eachKey =
	(build: (db: Executor, key: string) => Promise<Record<string, unknown> | null>): Builder =>
	async (db, keys) =>
		new Map(await Promise.all(keys.map(async (key) => [key, await build(db, key)] as const)));

/**
 * An account's view with what other domains add to it (residents' code does not read theirs): the
 * applications it has sent, its online desk requests and the disclosures they may follow.
 */
const accountsWithTheirDomains: Builder = async (db, ids, now) => {
	const [views, sent, desk] = await Promise.all([
		accountViews(db, ids, now),
		applicationRows(db, ids),
		deskViews(db, ids, now)
	]);
	for (const [key, view] of views)
		if (view)
			Object.assign(view, {
				applications: sent.get(key) ?? [],
				...(desk.get(key) ?? { deskRequests: [], disclosures: [] })
			});
	return views;
};

const builders: Record<ProjectionTopic, Builder> = {
	account: accountsWithTheirDomains,
	catalogue: eachKey(catalogueViewOf),
	document: documentViews,
	application: (db, ids) => applicationViews(db, ids),
	access: accessViews,
	city: eachKey(cityViewOf),
	credential: (db, keys) => credentialViews(db, keys),
	verification: (db, ids) => verificationViews(db, ids),
	keys: eachKey(signingKeysViewOf)
};

/**
 * Sends a batch; when the portal refuses it, each half on its own, down to the change it will not
 * take, which is set aside and sent again with no body (taken off the portal rather than left
 * showing an older view). A change refused even so is only set aside.
 */
async function sendSettingAside(
	send: (changes: ProjectionChange[]) => Promise<void>,
	batch: ProjectionChange[],
	setAside: SetAside[]
): Promise<void> {
	try {
		await send(batch);
	} catch (error) {
		if (!(error instanceof PublicationRefused)) throw error;
		if (batch.length > 1) {
			const half = Math.ceil(batch.length / 2);
			await sendSettingAside(send, batch.slice(0, half), setAside);
			await sendSettingAside(send, batch.slice(half), setAside);
			return;
		}
		const change = batch[0]!;
		if (!setAside.some((aside) => sameKey(aside.change, change)))
			setAside.push({ change, reason: `refused: ${error.message}`.slice(0, 180) });
		if (change.body !== null) await sendSettingAside(send, [{ ...change, body: null }], setAside);
	}
}

/** Changes in consecutive batches of at most `limit` bytes of JSON (a larger change goes alone). */
export function bySize(changes: readonly ProjectionChange[], limit: number): ProjectionChange[][] {
	const batches: ProjectionChange[][] = [];
	let batch: ProjectionChange[] = [];
	let bytes = 0;
	for (const change of changes) {
		const size = Buffer.byteLength(JSON.stringify(change));
		if (batch.length > 0 && bytes + size > limit) {
			batches.push(batch);
			batch = [];
			bytes = 0;
		}
		batch.push(change);
		bytes += size;
	}
	if (batch.length > 0) batches.push(batch);
	return batches;
}

/**
 * One round: answers how many marks it took (0: nothing was waiting). Rounds are serialized by a
 * lock, so versions grow with the time a view was built whatever the number of back-office nodes.
 */
export async function publishRound(
	db: Database,
	send: (changes: ProjectionChange[]) => Promise<void>,
	now = new Date(),
	limit = batchBytes
): Promise<number> {
	return db.transaction().execute(async (trx) => {
		await sql`SELECT pg_advisory_xact_lock(hashtextextended('projection-publisher', 0))`.execute(
			trx
		);
		// Staff entries appended to the audit log since the last round mark the access logs they
		// add to (migration 0046: a cursor, not a trigger on the log).
		await markAccess(trx);
		const marks = await trx
			.selectFrom('projection_pending')
			.select(['id', 'topic', 'municipality_code', 'key'])
			.orderBy('id')
			.limit(roundSize)
			.execute();
		// What was set aside a while ago is tried again with the round (the portal's limit raised,
		// a fault on its side mended), with nothing else marked too; set aside again, it waits as
		// long again.
		const retried = await trx
			.selectFrom('projection_set_aside')
			.select(['topic', 'municipality_code', 'key'])
			.where('set_aside_at', '<', new Date(now.getTime() - retrySetAsideMs))
			.orderBy('set_aside_at')
			.limit(retriesPerRound)
			.execute();
		if (marks.length === 0 && retried.length === 0) return 0;
		const due = [...marks, ...retried];
		const keysOf = (topic: string) => [
			...new Set(due.filter((mark) => mark.topic === topic).map((mark) => mark.key))
		];
		const keys = new Map(projectionTopics.map((topic) => [topic, keysOf(topic)]));
		const built = await Promise.all(
			projectionTopics.map((topic) => builders[topic](trx, keys.get(topic)!, now))
		);
		const { rows } = await sql<{
			version: string;
		}>`SELECT nextval('projection_version')::text AS version`.execute(trx);
		const version = rows[0]!.version;
		const changes: ProjectionChange[] = projectionTopics.flatMap((topic, index) =>
			keys.get(topic)!.map((key) => ({ topic, key, version, body: built[index]!.get(key) ?? null }))
		);
		// A body that does not fit the shape the portal reads would be stored there and read as
		// "not published yet" for ever: it is set aside here instead, and the key sent with no body.
		const setAside: SetAside[] = [];
		const checked = changes.map((change) => {
			const problem = shapeProblem(change);
			if (!problem) return change;
			setAside.push({ change, reason: `shape: ${problem}` });
			return { ...change, body: null };
		});
		// In POSTs of a bounded size: a first publication of many accounts with long access logs
		// outgrew the portal's body limit (413), and the round failed again and again.
		for (const batch of bySize(checked, limit)) await sendSettingAside(send, batch, setAside);
		await keepSetAside(trx, setAside, checked, due, now);
		if (marks.length > 0)
			await trx
				.deleteFrom('projection_pending')
				.where(
					'id',
					'in',
					marks.map((mark) => mark.id)
				)
				.execute();
		return marks.length;
	});
}

/**
 * What this round set aside is kept (and logged for the operators: topic, key and reason, no
 * content); what it published whole clears what an earlier round set aside under the same key.
 */
async function keepSetAside(
	db: Executor,
	setAside: readonly SetAside[],
	sent: readonly ProjectionChange[],
	marks: readonly { topic: string; key: string; municipality_code: string }[],
	now: Date
): Promise<void> {
	const published = sent.filter(
		(change) => !setAside.some((aside) => sameKey(aside.change, change))
	);
	for (const topic of new Set(published.map((change) => change.topic)))
		await db
			.deleteFrom('projection_set_aside')
			.where('topic', '=', topic)
			.where(
				'key',
				'in',
				published.filter((change) => change.topic === topic).map((change) => change.key)
			)
			.execute();
	if (setAside.length === 0) return;
	const cityOf = new Map(marks.map((mark) => [`${mark.topic}\u0000${mark.key}`, mark]));
	await db
		.insertInto('projection_set_aside')
		.values(
			setAside.map(({ change, reason }) => ({
				topic: change.topic,
				key: change.key,
				municipality_code:
					cityOf.get(`${change.topic}\u0000${change.key}`)?.municipality_code ?? '',
				version: change.version,
				reason,
				set_aside_at: now
			}))
		)
		.onConflict((conflict) =>
			conflict.columns(['topic', 'key']).doUpdateSet((eb) => ({
				version: eb.ref('excluded.version'),
				reason: eb.ref('excluded.reason'),
				set_aside_at: eb.ref('excluded.set_aside_at')
			}))
		)
		.execute();
	for (const { change, reason } of setAside)
		console.warn(
			JSON.stringify({
				level: 'warn',
				event: 'projection_set_aside',
				topic: change.topic,
				key: change.key,
				reason
			})
		);
}

/**
 * Marks the access logs that staff entries since the last call add to; answers whether anything
 * is marked for publication (the publisher's cheap look between rounds).
 */
export async function markAccess(db: Executor): Promise<boolean> {
	const { rows } = await sql<{
		waiting: boolean;
	}>`SELECT projection_mark_access() AS waiting`.execute(db);
	return rows[0]?.waiting === true;
}

/** Whether something set aside is due to be tried again (the publisher looks now and then). */
export async function setAsideDue(db: Executor, now = new Date()): Promise<boolean> {
	const row = await db
		.selectFrom('projection_set_aside')
		.select('key')
		.where('set_aside_at', '<', new Date(now.getTime() - retrySetAsideMs))
		.limit(1)
		.executeTakeFirst();
	return row !== undefined;
}

/** Rounds until nothing marked is left (what was marked before the call is sent when it returns). */
export async function publishAll(
	db: Database,
	send: (changes: ProjectionChange[]) => Promise<void>,
	now?: () => Date
): Promise<number> {
	let total = 0;
	for (;;) {
		const taken = await publishRound(db, send, now?.() ?? new Date());
		total += taken;
		if (taken < roundSize) return total;
	}
}
