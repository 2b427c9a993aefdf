// The projection as the portal keeps it (issue 27, docs/zones.md): written only by the back
// office's signed publication, read by the resident's pages. A row is replaced only by a higher
// version, so a publication sent twice, or overtaken by a later one, changes nothing.
import { sql } from 'kysely';
import type { PortalZoneExecutor } from '../db';
import {
	accountView,
	catalogueView,
	type AccountView,
	type CatalogueView,
	type ProjectionChange
} from './shapes';

/** Applies a publication; answers how many rows it changed (an old or repeated one: none). */
export async function applyProjection(
	zone: PortalZoneExecutor,
	changes: readonly ProjectionChange[],
	now: Date
): Promise<number> {
	if (changes.length === 0) return 0;
	// The highest version of each row in the batch (a batch names a row once, but need not).
	const latest = new Map<string, ProjectionChange>();
	for (const change of changes) {
		const id = `${change.topic}\u0000${change.key}`;
		const seen = latest.get(id);
		if (!seen || BigInt(seen.version) < BigInt(change.version)) latest.set(id, change);
	}
	const rows = [...latest.values()].map((change) => ({
		topic: change.topic,
		key: change.key,
		version: change.version,
		body: change.body === null ? null : JSON.stringify(change.body),
		received_at: now
	}));
	const result = await zone
		.insertInto('projection')
		.values(rows)
		.onConflict((conflict) =>
			conflict
				.columns(['topic', 'key'])
				.doUpdateSet({
					version: (eb) => eb.ref('excluded.version'),
					body: (eb) => eb.ref('excluded.body'),
					received_at: (eb) => eb.ref('excluded.received_at')
				})
				.where('projection.version', '<', sql<string>`excluded.version`)
		)
		.executeTakeFirst();
	return Number(result.numInsertedOrUpdatedRows ?? 0);
}

/**
 * What a resident's page shows, as last published, in one read: the account's view (null when
 * none is published yet, or any more, or it cannot be read) and the city's catalogue (empty until
 * it is published).
 */
export async function projectedView(
	zone: PortalZoneExecutor,
	accountId: string,
	municipalityCode: string
): Promise<{ account: AccountView | null; catalogue: CatalogueView['doses'] }> {
	const rows = await zone
		.selectFrom('projection')
		.select(['topic', 'body'])
		.where((eb) =>
			eb.or([
				eb.and([eb('topic', '=', 'account'), eb('key', '=', accountId)]),
				eb.and([eb('topic', '=', 'catalogue'), eb('key', '=', municipalityCode)])
			])
		)
		.execute();
	const of = (topic: string) => rows.find((row) => row.topic === topic)?.body ?? null;
	const account = accountView.safeParse(of('account'));
	const catalogue = catalogueView.safeParse(of('catalogue'));
	return {
		account: account.success ? account.data : null,
		catalogue: catalogue.success ? catalogue.data.doses : []
	};
}
