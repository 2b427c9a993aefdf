// The back office's projection rounds, sent straight into a test's portal zone (the signed HTTP
// path between them is tested in projection.test.ts): what is marked now is published when it
// returns; and the items the portal zone holds, taken in the other way.
import type { Database, PortalZoneDatabase } from '../../src/lib/server/db';
import { takeInAll, type ResidentRelyingParty } from '../../src/lib/server/exchange/intake';
import { acknowledge, waitingItems } from '../../src/lib/server/exchange/portal';
import { publishAll } from '../../src/lib/server/exchange/publish';
import { applyProjection } from '../../src/lib/server/zone/projection';

export const publishToZone = (db: Database, zone: PortalZoneDatabase): Promise<number> =>
	publishAll(db, async (changes) => {
		await applyProjection(zone, changes, new Date());
	});

/**
 * Everything a test's portal zone holds for the back office, taken in as the pull does (without
 * HTTP: the signed path is tested in zones.test.ts) and marked taken there with its outcome.
 */
export async function takeInFromZone(
	db: Database,
	zone: PortalZoneDatabase,
	input: { rp: ResidentRelyingParty; municipalityCode: string }
) {
	const items = await waitingItems(zone, { limit: 1000, waitMs: 0 });
	const results = await takeInAll(db, {
		portal: input.rp.origin,
		items,
		rp: input.rp,
		municipalityCode: input.municipalityCode,
		now: new Date()
	});
	await acknowledge(zone, {
		outcomes: results.map(({ seq, outcome, answer }) => ({ seq, outcome, answer })),
		now: new Date()
	});
	return items.map((item, index) => ({
		kind: item.kind,
		account: item.residentAccountId,
		...results[index]!
	}));
}
