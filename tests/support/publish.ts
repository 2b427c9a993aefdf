// The back office's projection rounds, sent straight into a test's portal zone (the signed HTTP
// path between them is tested in projection.test.ts): what is marked now is published when it returns.
import type { Database, PortalZoneDatabase } from '../../src/lib/server/db';
import { publishAll } from '../../src/lib/server/exchange/publish';
import { applyProjection } from '../../src/lib/server/zone/projection';

export const publishToZone = (db: Database, zone: PortalZoneDatabase): Promise<number> =>
	publishAll(db, async (changes) => {
		await applyProjection(zone, changes, new Date());
	});
