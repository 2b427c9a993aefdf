// The one kysely instance. Table types come from ./types.generated.ts, which kysely-codegen
// writes from the migrated schema (npm run db:types), so migrations are the single source of truth.
import { CompiledQuery, Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import { config, type AppRole } from '../config';
import type { DB } from './types.generated';

export type { DB } from './types.generated';
export type Database = Kysely<DB>;
export type Executor = Kysely<DB> | Transaction<DB>;

// 'date' stays a 'YYYY-MM-DD' string: a JS Date would shift it by the server's time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

/** The group role whose grants a process of this kind runs under (see migrations/0001). */
export function databaseRoleFor(appRole: AppRole): string {
	return appRole === 'portal' ? 'vaccination_portal' : 'vaccination_backoffice';
}

export function createDatabase(
	connectionString: string,
	options: { role?: string; max?: number } = {}
): Database {
	const pool = new pg.Pool({ connectionString, max: options.max ?? 10 });
	// An idle connection that the server closes (restart, failover) must not crash the process;
	// the pool replaces it on the next checkout.
	pool.on('error', (error) => console.error(`database connection lost: ${error.message}`));
	return new Kysely<DB>({
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

/** The application's database, connected as its least-privileged role. */
export function db(): Database {
	if (!instance) {
		const { databaseUrl, appRole } = config();
		instance = createDatabase(databaseUrl, { role: databaseRoleFor(appRole) });
	}
	return instance;
}

export async function closeDb(): Promise<void> {
	await instance?.destroy();
	instance = undefined;
}
