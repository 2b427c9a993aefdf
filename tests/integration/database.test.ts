// The database layer: grants per deployment role, migrations that fail cleanly, the generated
// types matching the migrations, and the command-line errors a city's operator sees.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
	mkdtempSync,
	writeFileSync,
	copyFileSync,
	readdirSync,
	readFileSync,
	rmSync
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, migrationsFolder } from '../../src/lib/server/db/migrate';
import { processIsAlive, startEmbeddedPostgres } from '../../src/lib/server/db/embedded';
import { recordAudit } from '../../src/lib/server/audit/record';
import { createDatabase } from '../../src/lib/server/db';
import { isDatabaseUnavailable } from '../../src/lib/server/db/availability';
import { codegenArguments, generatedTypes } from '../../scripts/lib/codegen';
import { freshDatabase, freshPortalZone, type TestDatabase } from '../support/database';
import { insertTestMunicipality } from '../support/fixtures';

let database: TestDatabase;
beforeAll(async () => {
	database = await freshDatabase();
});
afterAll(async () => database?.close());

function run(script: string, env: Record<string, string>, args: string[] = []) {
	const result = spawnSync('npx', ['tsx', script, ...args], {
		env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? '/tmp', ...env },
		encoding: 'utf8',
		timeout: 60_000
	});
	return {
		status: result.status,
		stdout: result.stdout,
		stderr: result.stderr.replace(/^npm warn.*\n/gm, '')
	};
}

describe('grants per deployment role', () => {
	it('keeps the portal role out of the 個人番号 schema entirely', async () => {
		await expect(
			sql`SELECT count(*) FROM mynumber.individual_number`.execute(database.portal)
		).rejects.toThrow(/permission denied for schema mynumber/);
		const { rows } = await sql<{
			usage: boolean;
		}>`SELECT has_schema_privilege('vaccination_portal', 'mynumber', 'USAGE') AS usage`.execute(
			database.owner
		);
		expect(rows[0]!.usage).toBe(false);
	});

	it('lets the back-office role read and write 個人番号 rows', async () => {
		await expect(
			sql`SELECT count(*) FROM mynumber.individual_number`.execute(database.backoffice)
		).resolves.toBeTruthy();
	});

	it('runs the app connections as the group role, not the login', async () => {
		const { rows } = await sql<{
			current_user: string;
			session_user: string;
		}>`SELECT current_user, session_user`.execute(database.portal);
		expect(rows[0]).toEqual({
			current_user: 'vaccination_portal',
			session_user: 'vaccination_portal_app'
		});
	});

	it('gives neither app role superuser, role creation or the right to drop tables', async () => {
		for (const app of [database.portal, database.backoffice]) {
			await expect(sql`DROP TABLE resident CASCADE`.execute(app)).rejects.toThrow(/must be owner/);
			await expect(sql`CREATE ROLE intruder`.execute(app)).rejects.toThrow(/permission denied/);
		}
	});
});

describe('an exhausted pool', () => {
	it('fails a request that waits too long with an error answered 503, and serves again after', async () => {
		const small = createDatabase(database.ownerUrl, { max: 1, connectionTimeoutMs: 300 });
		try {
			let release!: () => void;
			const held = new Promise<void>((resolve) => (release = resolve));
			const holder = small.transaction().execute(async (trx) => {
				await sql`SELECT 1`.execute(trx);
				await held;
			});
			const waited = await sql`SELECT 1`.execute(small).then(
				() => null,
				(error: unknown) => error
			);
			expect(waited).toBeInstanceOf(Error);
			expect((waited as Error).message).toMatch(/timeout/);
			expect(isDatabaseUnavailable(waited)).toBe(true);
			release();
			await holder;
			const { rows } = await sql<{ ok: number }>`SELECT 1 AS ok`.execute(small);
			expect(rows).toEqual([{ ok: 1 }]);
		} finally {
			await small.destroy();
		}
	});
});

describe('migrations', () => {
	it('leave the database as it was when one fails', async () => {
		const folder = mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
		for (const file of readdirSync(migrationsFolder).filter((name) => name.endsWith('.ts')))
			copyFileSync(path.join(migrationsFolder, file), path.join(folder, file));
		writeFileSync(
			path.join(folder, '9998_good.ts'),
			"import { sql } from 'kysely';\nexport async function up(db) { await sql`CREATE TABLE should_not_survive (id int)`.execute(db); }\n"
		);
		writeFileSync(
			path.join(folder, '9999_broken.ts'),
			"import { sql } from 'kysely';\nexport async function up(db) { await sql`ALTER TABLE no_such_table ADD COLUMN x int`.execute(db); }\n"
		);
		await expect(migrateToLatest(database.ownerUrl, folder)).rejects.toThrow(
			/migration 9999_broken failed, nothing was applied/
		);
		const { rows } = await sql<{
			exists: boolean;
		}>`SELECT to_regclass('public.should_not_survive') IS NOT NULL AS exists`.execute(
			database.owner
		);
		expect(rows[0]!.exists).toBe(false);
		const applied = await database.owner
			.selectFrom('kysely_migration' as never)
			.select('name' as never)
			.execute();
		expect(applied.map((row) => (row as { name: string }).name)).not.toContain('9998_good');
	});

	it('match the committed table types (npm run db:types)', () => {
		const result = spawnSync('npx', codegenArguments(database.ownerUrl, true), {
			encoding: 'utf8',
			timeout: 60_000
		});
		expect(result.status, result.stdout + result.stderr).toBe(0);
	});

	it('of the portal zone match its committed table types too (npm run db:types)', async () => {
		const zone = await freshPortalZone();
		try {
			const result = spawnSync(
				'npx',
				codegenArguments(zone.ownerUrl, true, generatedTypes.portalZone),
				{ encoding: 'utf8', timeout: 60_000 }
			);
			expect(result.status, result.stdout + result.stderr).toBe(0);
		} finally {
			await zone.close();
		}
	});
});

describe('operator errors', () => {
	it('names a malformed DATABASE_URL on one line', () => {
		const result = run('scripts/db-migrate.ts', { DATABASE_URL: 'mysql://user:secret@host/db' });
		expect(result.status).toBe(1);
		expect(result.stderr.trim()).toBe(
			'error: DATABASE_URL must be a postgres://user:password@host:port/database URL'
		);
	});

	it('names a malformed MY_NUMBER_KEY on one line', () => {
		const result = run('scripts/start.ts', {
			DATABASE_URL: database.ownerUrl,
			MY_NUMBER_KEY: 'too-short',
			PORT: '0'
		});
		expect(result.status).toBe(1);
		expect(result.stderr.trim()).toBe(
			'error: MY_NUMBER_KEY must be [keyid:]base64 of 32 random bytes'
		);
	});

	it('refuses to start the back office without MY_NUMBER_KEY, and the portal with it', () => {
		const missing = run('scripts/start.ts', { DATABASE_URL: database.ownerUrl, PORT: '0' });
		expect(missing.stderr.trim()).toBe(
			'error: MY_NUMBER_KEY is not set (required unless APP_ROLE=portal)'
		);
		const key = Buffer.alloc(32, 3).toString('base64');
		const portal = run('scripts/start.ts', {
			DATABASE_URL: database.ownerUrl,
			APP_ROLE: 'portal',
			MY_NUMBER_KEY: key,
			PORT: '0'
		});
		expect(portal.stderr.trim()).toBe('error: MY_NUMBER_KEY must not be set when APP_ROLE=portal');
	});

	it('names a malformed APP_PROCESSES on one line, before touching the database', () => {
		for (const value of ['two', '0', '1.5', '65']) {
			const result = run('scripts/start.ts', {
				DATABASE_URL: 'postgres://nobody:nothing@127.0.0.1:1/none',
				APP_PROCESSES: value,
				PORT: '0'
			});
			expect(result.status).toBe(1);
			expect(result.stderr.trim()).toBe(
				`error: APP_PROCESSES must be a whole number from 1 to 64, not "${value}"`
			);
		}
	});

	it('says the data directory is busy when a second embedded server starts on it', async () => {
		const dataDir = mkdtempSync(path.join(os.tmpdir(), 'busy-'));
		const first = await startEmbeddedPostgres({ dataDir, password: 'p' });
		try {
			await expect(startEmbeddedPostgres({ dataDir, password: 'p' })).rejects.toThrow(
				/is in use by PostgreSQL process \d+: is another instance running\?/
			);
		} finally {
			await first.stop();
		}
	});

	it('starts again when the PostgreSQL of a process killed with SIGKILL is still running (issue 24, item 8)', async () => {
		const dataDir = mkdtempSync(path.join(os.tmpdir(), 'orphan-'));
		const holder = spawn(
			process.execPath,
			['--import', 'tsx', 'tests/support/embedded-holder.ts', dataDir],
			{ stdio: ['ignore', 'pipe', 'inherit'] }
		);
		await new Promise<void>((resolve, reject) => {
			holder.stdout!.on('data', (chunk: Buffer) => {
				if (chunk.toString().includes('ready')) resolve();
			});
			holder.once('exit', () => reject(new Error('the holder exited before it was ready')));
		});
		const pidFile = path.join(dataDir, 'postgres', 'postmaster.pid');
		const orphan = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
		holder.kill('SIGKILL');
		await new Promise((resolve) => holder.once('exit', resolve));
		expect(processIsAlive(orphan)).toBe(true); // outlived its parent, holding postmaster.pid
		const again = await startEmbeddedPostgres({ dataDir, password: 'p' });
		const client = new pg.Client({ connectionString: again.superuserUrl() });
		try {
			await client.connect();
			const { rows } = await client.query('SELECT note FROM kept');
			expect(rows).toEqual([{ note: 'before the kill' }]);
			expect(processIsAlive(orphan)).toBe(false);
		} finally {
			await client.end();
			await again.stop();
		}
	});

	it('keeps row values out of the embedded server log when a statement fails', async () => {
		const dataDir = mkdtempSync(path.join(os.tmpdir(), 'log-'));
		const server = await startEmbeddedPostgres({ dataDir, password: 'p' });
		const client = new pg.Client({ connectionString: server.superuserUrl() });
		try {
			await client.connect();
			await client.query('CREATE TABLE person (name text NOT NULL, code text NOT NULL UNIQUE)');
			await client.query("INSERT INTO person VALUES ('カナリア　花子', '123456789018')");
			await expect(
				client.query("INSERT INTO person VALUES ('カナリア　花子', '123456789018')")
			).rejects.toThrow(/duplicate key/);
			await expect(
				client.query("INSERT INTO person VALUES ('カナリア　太郎', NULL)")
			).rejects.toThrow(/not-null/);
		} finally {
			await client.end();
			await server.stop();
		}
		const log = readFileSync(path.join(dataDir, 'postgres.log'), 'utf8');
		expect(log).toContain('duplicate key value violates unique constraint');
		expect(log).not.toContain('カナリア');
		expect(log).not.toContain('123456789018');
	});

	it('finds an altered audit row with audit:verify and names its id', async () => {
		const city = '139998';
		for (let i = 0; i < 5; i++) {
			await recordAudit(database.backoffice, {
				municipalityCode: city,
				actor: { type: 'staff', id: 'staff-9', role: 'auditor', department: null },
				action: 'audit.view'
			});
		}
		const intact = run('scripts/audit-verify.ts', { DATABASE_URL: database.ownerUrl });
		expect(intact.status, intact.stderr).toBe(0);
		expect(intact.stdout).toContain('Audit log intact: 5 entries verified');
		const altered = await database.owner.transaction().execute(async (trx) => {
			await sql`SET LOCAL session_replication_role = replica`.execute(trx);
			const { rows } = await sql<{
				id: string;
			}>`UPDATE audit.entry SET actor_id = 'someone-else' WHERE municipality_code = ${city} AND seq = 3 RETURNING id`.execute(
				trx
			);
			return rows[0]!.id;
		});
		const broken = run('scripts/audit-verify.ts', { DATABASE_URL: database.ownerUrl });
		expect(broken.status).toBe(2);
		expect(broken.stderr.trim()).toBe(
			`BROKEN: municipality ${city}, entry id ${altered} (seq 3): entry altered`
		);
	});

	it('checkpoints with audit:checkpoint, and audit:verify finds a cut tail with the public key alone', async () => {
		const city = '139995';
		await insertTestMunicipality(database.owner, city);
		for (let i = 0; i < 4; i++) {
			await recordAudit(database.backoffice, {
				municipalityCode: city,
				actor: { type: 'staff', id: 'staff-8', role: 'auditor', department: null },
				action: 'audit.view'
			});
		}
		const dir = mkdtempSync(path.join(os.tmpdir(), 'checkpoints-cli-'));
		const writer = {
			DATABASE_URL: database.ownerUrl,
			AUDIT_CHECKPOINT_KEY: `cp1:${randomBytes(32).toString('base64')}`,
			AUDIT_CHECKPOINT_DIR: dir
		};
		const printed = run('scripts/audit-checkpoint.ts', writer, ['--public-key']);
		const publicKey = /^AUDIT_CHECKPOINT_PUBLIC_KEY=(cp1:[A-Za-z0-9+/]{43}=)$/m.exec(
			printed.stdout
		)?.[1];
		expect(publicKey, printed.stderr).toBeDefined();
		const written = run('scripts/audit-checkpoint.ts', writer, ['--municipality', city]);
		expect(written.status, written.stderr).toBe(0);
		expect(written.stdout).toContain(`${city}: checkpoint at seq 4`);

		// The auditor's machine: the public key and the files, not the signing key.
		const auditor = {
			DATABASE_URL: database.ownerUrl,
			AUDIT_CHECKPOINT_DIR: dir,
			AUDIT_CHECKPOINT_PUBLIC_KEY: publicKey!
		};
		const intact = run('scripts/audit-verify.ts', auditor, ['--municipality', city]);
		expect(intact.status, intact.stderr).toBe(0);
		expect(intact.stdout).toContain(`${city}: 1 signed checkpoint, all agree; the last at seq 4`);

		// Cut the tail: the chain that is left verifies, the checkpoint does not.
		await database.owner.transaction().execute(async (trx) => {
			await sql`SET LOCAL session_replication_role = replica`.execute(trx);
			await sql`DELETE FROM audit.entry WHERE municipality_code = ${city} AND seq > 2`.execute(trx);
		});
		const cut = run('scripts/audit-verify.ts', auditor, ['--municipality', city]);
		expect(cut.status).toBe(2);
		expect(cut.stdout).toContain('Audit log intact: 2 entries verified');
		expect(cut.stderr.trim()).toBe(
			`BROKEN: municipality ${city}, checkpoint line 1 (seq 4): chain truncated`
		);
		rmSync(dir, { recursive: true, force: true });
	});
});
