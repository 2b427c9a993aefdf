// A throw-away embedded PostgreSQL for benchmarks, so figures never touch the demo in .data/.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
	createDatabase,
	databaseRoleFor,
	type Database,
	type PortalZoneDatabase,
	type PortalZoneDB
} from '../../src/lib/server/db';
import { startEmbeddedPostgres } from '../../src/lib/server/db/embedded';
import { migrateToLatest, portalMigrationsFolder } from '../../src/lib/server/db/migrate';
import {
	ensureDatabase,
	loginRoles,
	provisionLoginRoles,
	withCredentials
} from '../../src/lib/server/db/provision';

export async function scratchDatabase(): Promise<{
	ownerUrl: string;
	owner: Database;
	backoffice: (max: number) => Database;
	/** A portal-zone database beside it (its own migrations), on the portal's role. */
	portalZone: (max: number) => Promise<PortalZoneDatabase>;
	stop: () => Promise<void>;
}> {
	const dataDir = mkdtempSync(path.join(os.tmpdir(), 'vaccination-bench-'));
	const server = await startEmbeddedPostgres({ dataDir, password: 'bench' });
	await ensureDatabase(server.superuserUrl(), 'bench');
	const ownerUrl = server.superuserUrl('bench');
	await provisionLoginRoles(ownerUrl, { portal: 'bench-portal', backoffice: 'bench-backoffice' });
	await migrateToLatest(ownerUrl);
	const owner = createDatabase(ownerUrl, { max: 4 });
	const opened: { destroy: () => Promise<void> }[] = [owner];
	let zoneUrl: string | undefined;
	return {
		ownerUrl,
		owner,
		backoffice: (max) => {
			const db = createDatabase(
				withCredentials(ownerUrl, loginRoles.backoffice.login, 'bench-backoffice'),
				{
					role: databaseRoleFor('backoffice'),
					max
				}
			);
			opened.push(db);
			return db;
		},
		portalZone: async (max) => {
			if (!zoneUrl) {
				await ensureDatabase(server.superuserUrl(), 'bench_zone');
				zoneUrl = server.superuserUrl('bench_zone');
				await migrateToLatest(zoneUrl, portalMigrationsFolder);
			}
			const zone = createDatabase<PortalZoneDB>(
				withCredentials(zoneUrl, loginRoles.portal.login, 'bench-portal'),
				{ role: databaseRoleFor('portal'), max }
			);
			opened.push(zone);
			return zone;
		},
		stop: async () => {
			await Promise.all(opened.map((db) => db.destroy()));
			await server.stop();
			rmSync(dataDir, { recursive: true, force: true });
		}
	};
}
