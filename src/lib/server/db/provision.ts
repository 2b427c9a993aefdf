// Cluster-level set-up that migrations cannot do inside one database: the database itself and
// the login roles the app connects as (each a member of exactly one group role).
import pg from 'pg';

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	try {
		return await work(client);
	} finally {
		await client.end();
	}
}

export async function ensureDatabase(maintenanceUrl: string, name: string): Promise<void> {
	await withClient(maintenanceUrl, async (client) => {
		const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
		if (!rowCount) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
	});
}

export const loginRoles = {
	portal: { login: 'vaccination_portal_app', group: 'vaccination_portal' },
	backoffice: { login: 'vaccination_backoffice_app', group: 'vaccination_backoffice' }
} as const;

export async function provisionLoginRoles(
	superuserUrl: string,
	// The portal zone's own server provisions the portal's login alone: no back-office role exists there.
	passwords: { portal?: string; backoffice?: string }
): Promise<void> {
	await withClient(superuserUrl, async (client) => {
		// A lock so that parallel test workers do not race on cluster-wide role creation.
		await client.query('SELECT pg_advisory_lock(7261001)');
		try {
			for (const kind of ['portal', 'backoffice'] as const) {
				if (passwords[kind] === undefined) continue;
				const { login, group } = loginRoles[kind];
				const password = client.escapeLiteral(passwords[kind]);
				await client.query(
					`DO $$ BEGIN
						IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${group}') THEN CREATE ROLE ${group} NOLOGIN; END IF;
						IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${login}') THEN CREATE ROLE ${login} LOGIN; END IF;
					END $$`
				);
				await client.query(
					`ALTER ROLE ${login} WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD ${password}`
				);
				await client.query(`GRANT ${group} TO ${login}`);
			}
		} finally {
			await client.query('SELECT pg_advisory_unlock(7261001)');
		}
	});
}

export function withCredentials(
	url: string,
	user: string,
	password: string,
	database?: string
): string {
	const parsed = new URL(url);
	parsed.username = encodeURIComponent(user);
	parsed.password = encodeURIComponent(password);
	if (database) parsed.pathname = `/${database}`;
	return parsed.toString();
}
