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
import { cityViewOf } from '../municipality/projection';
import { accessViews, accountViews, catalogueViewOf, documentViews } from '../residents/projection';
import type { ProjectionChange } from '../zone/shapes';

/** How many marks one round takes. */
const roundSize = 300;
/** The most one publication POST carries (the portal takes 32 MB as deployed: well under it). */
const batchBytes = 4 * 1024 * 1024;

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
		if (marks.length === 0) return 0;
		const keysOf = (topic: string) => [
			...new Set(marks.filter((mark) => mark.topic === topic).map((mark) => mark.key))
		];
		const accountIds = keysOf('account');
		const cities = keysOf('catalogue');
		const documentIds = keysOf('document');
		const applicationIds = keysOf('application');
		const accessIds = keysOf('access');
		const cityCodes = keysOf('city');
		const credentialKeys = keysOf('credential');
		const [views, sent, desk, catalogues, documents, applications, logs, settings, credentials] =
			await Promise.all([
				accountViews(trx, accountIds, now),
				applicationRows(trx, accountIds),
				deskViews(trx, accountIds, now),
				Promise.all(cities.map((city) => catalogueViewOf(trx, city))),
				documentViews(trx, documentIds, now),
				applicationViews(trx, applicationIds),
				accessViews(trx, accessIds, now),
				Promise.all(cityCodes.map((code) => cityViewOf(trx, code))),
				credentialViews(trx, credentialKeys)
			]);
		// What other domains add to an account's view (residents' code does not read theirs).
		for (const [key, view] of views)
			if (view)
				Object.assign(view, {
					applications: sent.get(key) ?? [],
					...(desk.get(key) ?? { deskRequests: [], disclosures: [] })
				});
		const { rows } = await sql<{
			version: string;
		}>`SELECT nextval('projection_version')::text AS version`.execute(trx);
		const version = rows[0]!.version;
		const changes: ProjectionChange[] = [
			...accountIds.map((key) => ({
				topic: 'account' as const,
				key,
				version,
				body: views.get(key) ?? null
			})),
			...cities.map((key, index) => ({
				topic: 'catalogue' as const,
				key,
				version,
				body: catalogues[index]!
			})),
			...documentIds.map((key) => ({
				topic: 'document' as const,
				key,
				version,
				body: documents.get(key) ?? null
			})),
			...applicationIds.map((key) => ({
				topic: 'application' as const,
				key,
				version,
				body: applications.get(key) ?? null
			})),
			...accessIds.map((key) => ({
				topic: 'access' as const,
				key,
				version,
				body: logs.get(key) ?? null
			})),
			...cityCodes.map((key, index) => ({
				topic: 'city' as const,
				key,
				version,
				body: settings[index] ?? null
			})),
			...credentialKeys.map((key) => ({
				topic: 'credential' as const,
				key,
				version,
				body: credentials.get(key) ?? null
			}))
		];
		// In POSTs of a bounded size: a first publication of many accounts with long access logs
		// outgrew the portal's body limit (413), and the round failed again and again.
		for (const batch of bySize(changes, limit)) await send(batch);
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
 * Marks the access logs that staff entries since the last call add to; answers whether anything
 * is marked for publication (the publisher's cheap look between rounds).
 */
export async function markAccess(db: Executor): Promise<boolean> {
	const { rows } = await sql<{
		waiting: boolean;
	}>`SELECT projection_mark_access() AS waiting`.execute(db);
	return rows[0]?.waiting === true;
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
