// The one kysely instance. Table types come from ./types.generated.ts, which kysely-codegen
// writes from the migrated schema (npm run db:types), so migrations are the single source of truth.
import { AsyncLocalStorage } from 'node:async_hooks';
import { CompiledQuery, Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import { config, type AppRole } from '../config';
import type { DB as PortalZoneDB } from './portal-types.generated';
import type { DB } from './types.generated';

export type { DB } from './types.generated';
export type Database = Kysely<DB>;
export type Executor = Kysely<DB> | Transaction<DB>;
/** The portal zone's own database (issue 27): what the portal keeps for the back office to take. */
export type PortalZoneDatabase = Kysely<PortalZoneDB>;
export type PortalZoneExecutor = Kysely<PortalZoneDB> | Transaction<PortalZoneDB>;
export type { PortalZoneDB };

// 'date' stays a 'YYYY-MM-DD' string: a JS Date would shift it by the server's time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

/** The group role whose grants a process of this kind runs under (see migrations/0001). */
export function databaseRoleFor(appRole: AppRole): string {
	return appRole === 'portal' ? 'vaccination_portal' : 'vaccination_backoffice';
}

export function createDatabase<Schema = DB>(
	connectionString: string,
	options: { role?: string; max?: number; connectionTimeoutMs?: number } = {}
): Kysely<Schema> {
	const pool = new pg.Pool({
		connectionString,
		max: options.max ?? 10,
		// A request waits at most this long for a connection (every one busy, or the server
		// unreachable), then fails; the hook answers 503 rather than hanging (see availability.ts).
		connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000
	});
	// An idle connection that the server closes (restart, failover) must not crash the process;
	// the pool replaces it on the next checkout.
	pool.on('error', (error) => console.error(`database connection lost: ${error.message}`));
	// So must one that is checked out between two statements (a transaction awaiting our code)
	// when the server ends it: pg emits 'error' on that client, and with no listener the process
	// dies. The statement that follows fails instead, and the request is answered 503.
	pool.on('connect', (client) => {
		client.on('error', () => {});
	});
	return new Kysely<Schema>({
		dialect: new PostgresDialect({
			pool,
			// SET ROLE narrows even a privileged login to the grants of the group role.
			onCreateConnection: options.role
				? async (connection) => {
						await connection.executeQuery(CompiledQuery.raw(`SET ROLE ${options.role}`));
					}
				: undefined
		})
	});
}

let instance: Database | undefined;
let portalInstance: Database | undefined;

/**
 * The zone a request of the combined deployment (APP_ROLE=all) runs in. Resident and public
 * requests run in the portal's zone: on the portal's own login and group role, so the demo and
 * every end-to-end test exercise exactly the grants a separate portal deployment has.
 */
const requestZone = new AsyncLocalStorage<'portal'>();

export function inPortalZone<T>(work: () => T): T {
	return requestZone.run('portal', work);
}

/** Whether what runs now is the portal's: a portal deployment, or a portal-zone request. */
export function inPortalZoneNow(): boolean {
	return requestZone.getStore() === 'portal' || config().appRole === 'portal';
}

/**
 * The application's database, connected as its least-privileged role: the portal's in a portal
 * deployment and in a portal-zone request of the combined one, the back office's otherwise.
 */
export function db(): Database {
	if (requestZone.getStore() === 'portal') return portalDb();
	return processDb();
}

/** The process's own role, whatever zone the request is in (staff sessions, background work). */
export function processDb(): Database {
	if (!instance) {
		const { databaseUrl, appRole, databasePoolMax } = config();
		instance = createDatabase(databaseUrl, {
			role: databaseRoleFor(appRole),
			max: databasePoolMax
		});
	}
	return instance;
}

/** The portal role's pool: the only one in a portal deployment, a second one in the combined. */
export function portalDb(): Database {
	const { appRole, portalDatabaseUrl, databasePoolMax } = config();
	if (appRole === 'portal') return processDb();
	if (!portalDatabaseUrl) return processDb();
	portalInstance ??= createDatabase(portalDatabaseUrl, {
		role: databaseRoleFor('portal'),
		max: databasePoolMax
	});
	return portalInstance;
}

let portalZoneInstance: PortalZoneDatabase | undefined;

/**
 * The portal zone's own database, on the portal's login: where the portal puts what the back
 * office takes in through the exchange. A back-office process has none (it is refused the
 * setting), and asking for it there is a programming error.
 */
export function portalZoneDb(): PortalZoneDatabase {
	if (!portalZoneInstance) {
		const { portalZoneDatabaseUrl, databasePoolMax } = config();
		if (!portalZoneDatabaseUrl) throw new Error('PORTAL_ZONE_DATABASE_URL is not set');
		portalZoneInstance = createDatabase<PortalZoneDB>(portalZoneDatabaseUrl, {
			role: databaseRoleFor('portal'),
			max: databasePoolMax
		});
	}
	return portalZoneInstance;
}

export async function closeDb(): Promise<void> {
	const open = [instance, portalInstance, portalZoneInstance];
	instance = undefined;
	portalInstance = undefined;
	portalZoneInstance = undefined;
	await Promise.all(open.map((database) => database?.destroy()));
}
