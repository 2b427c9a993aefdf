// The built app (node build/index.js, as adapter-node serves it) on a throw-away embedded
// PostgreSQL with the demo city, residents who hold software passkeys, and handles to break it:
// kill the app, restart or crash PostgreSQL, take its connections. Used by bench:load and faults.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
	existsSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	readFileSync,
	rmSync,
	writeFileSync
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { addCredential } from '../../src/lib/server/auth/credentials';
import { parseKeySpec } from '../../src/lib/server/config';
import { ed25519Signer, publicKeyText } from '../../src/lib/server/crypto/ed25519';
import { createSessionManager } from '../../src/lib/server/auth/sessions';
import { createDatabase, type Database } from '../../src/lib/server/db';
import {
	processIsAlive,
	startEmbeddedPostgres,
	type EmbeddedServer
} from '../../src/lib/server/db/embedded';
import { migrateToLatest, portalMigrationsFolder } from '../../src/lib/server/db/migrate';
import {
	ensureDatabase,
	loginRoles,
	provisionLoginRoles,
	withCredentials
} from '../../src/lib/server/db/provision';
import { loadDemoCity } from '../../src/lib/server/demo/load';
import { softResident } from '../../tests/support/soft-authenticator';
import { startRelay } from './cuttable-relay';
import { startStandby } from './standby';
import { PortalClient } from './portal-client';

const password = 'harness';
const portalZoneDatabase = 'harness_portal_zone';
const backofficePassword = 'harness-backoffice';
const portalPassword = 'harness-portal';

export type Harness = Awaited<ReturnType<typeof startHarness>>;

export async function startHarness(options: {
	port: number;
	residents: number;
	/** Residents (each a parent with children in the register) who get a passkey. */
	clients: number;
	/** Where the cluster lives (a small file system, to fill it); a new temporary directory if unset. */
	dataDir?: string;
	/** The app's pool size (PG_POOL_MAX). */
	poolMax?: number;
	/**
	 * Each client sends its own address in X-Forwarded-For and the app trusts it (as behind the
	 * city's proxy), so per-address limits see many phones rather than one loopback address.
	 */
	clientAddresses?: boolean;
	/** Extra node flags for the app (e.g. --cpu-prof). */
	nodeArgs?: string[];
	/** More PostgreSQL settings (`name=value`), kept across restarts. */
	postgresSettings?: string[];
	/** APP_PROCESSES: more than 1 serves through scripts/serve.ts (node:cluster). */
	processes?: number;
	/**
	 * The two zones as a city deploys them (issue 27): this many portal nodes (APP_ROLE=portal)
	 * behind nginx on `port`, and a back office (APP_ROLE=backoffice) on `port + 1` that pulls
	 * from the portal through nginx. Unset: one app with every role.
	 */
	portalNodes?: number;
	/**
	 * The back office reaches the portal through a relay the faults can cut (scripts/lib/
	 * cuttable-relay.ts): the network between the zones, with one app of every role.
	 */
	exchangeRelay?: boolean;
	/**
	 * The portal zone's PostgreSQL with a synchronous streaming standby (scripts/lib/standby.ts),
	 * the app reaching it through a relay (the address a failover moves, as a virtual IP would).
	 */
	zoneStandby?: boolean;
}) {
	if (!existsSync('build/index.js'))
		spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
	const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'vaccination-harness-'));
	// The same cluster, settings and (after the first start) port each time it is started.
	const startCluster = (port?: number) =>
		startEmbeddedPostgres({ dataDir, password, port, settings: options.postgresSettings });
	let server: EmbeddedServer = await startCluster();
	const pgPort = server.port;
	await ensureDatabase(server.superuserUrl(), 'harness');
	const ownerUrl = server.superuserUrl('harness');
	await provisionLoginRoles(ownerUrl, { portal: portalPassword, backoffice: backofficePassword });
	await migrateToLatest(ownerUrl);
	// The portal zone's own database (issue 27) on a server of its own, as npm start runs it: the
	// faults stop either zone's server while the other goes on.
	const zoneDataDir = path.join(dataDir, 'portal-zone');
	const startZone = (port?: number) =>
		startEmbeddedPostgres({ dataDir: zoneDataDir, password, port });
	let zoneServer: EmbeddedServer = await startZone();
	const zonePort = zoneServer.port;
	await ensureDatabase(zoneServer.superuserUrl(), portalZoneDatabase);
	const portalZoneOwnerUrl = zoneServer.superuserUrl(portalZoneDatabase);
	await provisionLoginRoles(portalZoneOwnerUrl, { portal: portalPassword });
	await migrateToLatest(portalZoneOwnerUrl, portalMigrationsFolder);
	const standby = options.zoneStandby
		? await startStandby(
				{ dataDir: zoneDataDir, server: zoneServer, password },
				path.join(dataDir, 'portal-zone-standby')
			)
		: undefined;
	await standby?.makeSynchronous();
	const zoneRelay = standby ? await startRelay({ host: '127.0.0.1', port: zonePort }) : undefined;
	// What the app is given: the zone's server, or the relay in front of it.
	const zoneAddress = zoneRelay
		? portalZoneOwnerUrl.replace(`:${zonePort}/`, `:${new URL(zoneRelay.url).port}/`)
		: portalZoneOwnerUrl;
	const owner: Database = createDatabase(ownerUrl, { max: 4 });
	const myNumberKey = { id: 'harness', key: randomBytes(32) };
	await loadDemoCity(owner, {
		seed: '1',
		residents: options.residents,
		asOf: new Date().toISOString().slice(0, 10),
		myNumberKey
	});
	// Parents of young children: they have doses due, so a 予診票の再発行 can be asked for.
	const parents = await owner
		.selectFrom('guardianship')
		.innerJoin('resident as child', (join) =>
			join
				.onRef('child.atena_number', '=', 'guardianship.child_atena_number')
				.onRef('child.municipality_code', '=', 'guardianship.municipality_code')
		)
		.select(['guardianship.guardian_atena_number', 'guardianship.municipality_code'])
		.where('guardianship.suppressed_for_dv', '=', false)
		.where('guardianship.valid_until', '>', new Date().toISOString().slice(0, 10))
		.where(
			'child.birth_date',
			'>',
			new Date(Date.now() - 2 * 365 * 86_400_000).toISOString().slice(0, 10)
		)
		.distinct()
		.orderBy('guardianship.guardian_atena_number')
		.limit(options.clients)
		.execute();
	if (parents.length < options.clients)
		throw new Error(
			`only ${parents.length} parents of young children among ${options.residents} residents`
		);
	const residents = await Promise.all(
		parents.map((parent) =>
			softResident(owner, {
				municipalityCode: parent.municipality_code,
				atenaNumber: parent.guardian_atena_number
			})
		)
	);

	const origin = `http://localhost:${options.port}`;
	const base = `http://127.0.0.1:${options.port}`;
	const relay = options.exchangeRelay
		? await startRelay({ host: '127.0.0.1', port: options.port })
		: undefined;
	const checkpoints = {
		dir: path.join(dataDir, 'audit-checkpoints'),
		key: { id: 'harness', key: randomBytes(32) }
	};
	const env = {
		...process.env,
		PORT: String(options.port),
		HOST: '127.0.0.1',
		ORIGIN: origin,
		APP_ROLE: 'all',
		DATABASE_URL: withCredentials(ownerUrl, loginRoles.backoffice.login, backofficePassword),
		PORTAL_DATABASE_URL: withCredentials(ownerUrl, loginRoles.portal.login, portalPassword),
		PORTAL_ZONE_DATABASE_URL: withCredentials(zoneAddress, loginRoles.portal.login, portalPassword),
		EXCHANGE_KEY: `harness:${randomBytes(32).toString('base64')}`,
		MY_NUMBER_KEY: `harness:${myNumberKey.key.toString('base64')}`,
		DOCUMENT_KEY: `harness:${randomBytes(32).toString('base64')}`,
		AUDIT_CHECKPOINT_KEY: `harness:${checkpoints.key.key.toString('base64')}`,
		AUDIT_CHECKPOINT_DIR: checkpoints.dir,
		VACCINATION_EMBEDDED: '1',
		BODY_SIZE_LIMIT: '32M', // as npm start sets it
		...(options.poolMax ? { PG_POOL_MAX: String(options.poolMax) } : {}),
		APP_PROCESSES: String(options.processes ?? 1),
		...(options.clientAddresses ? { ADDRESS_HEADER: 'x-forwarded-for', XFF_DEPTH: '1' } : {}),
		// Through the relay, the portal is still signed for and named by its public origin.
		...(relay ? { EXCHANGE_PORTAL_URL: relay.url, PORTAL_ORIGIN: origin } : {})
	};
	// One process: adapter-node's server as it is; more: the same server in cluster workers.
	const entry =
		(options.processes ?? 1) > 1 ? ['--import', 'tsx', 'scripts/serve.ts'] : ['build/index.js'];
	let app: ChildProcess | undefined;
	let appLog = '';

	// The split deployment: each zone's process with only what its role may hold.
	const split = options.portalNodes
		? splitDeployment(env, { port: options.port, nodes: options.portalNodes, dataDir })
		: undefined;
	const spawnNode = (nodeEnv: Record<string, string | undefined>, name: string) => {
		const child = spawn(process.execPath, [...(options.nodeArgs ?? []), 'build/index.js'], {
			env: nodeEnv,
			stdio: ['ignore', 'ignore', 'pipe']
		});
		child.stderr!.on('data', (chunk: Buffer) => (appLog += `[${name}] ${chunk.toString()}`));
		return child;
	};

	async function healthy(timeoutMs: number): Promise<boolean> {
		const until = Date.now() + timeoutMs;
		while (Date.now() < until) {
			try {
				const response = await fetch(`${base}/healthz`, {
					// Sent always: an app told to trust the header refuses requests without it.
					headers: { 'x-forwarded-for': '127.0.0.1' },
					signal: AbortSignal.timeout(2_000)
				});
				if (response.ok) return true;
			} catch {
				// not listening yet
			}
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		return false;
	}

	/**
	 * Waits (up to `timeoutMs`, then goes on) until the back office has published what the portal
	 * shows (issue 27): the harness's accounts were made before the app started, and a phone's
	 * first page would otherwise find its view not there yet.
	 */
	async function projectionPublished(timeoutMs: number): Promise<void> {
		const until = Date.now() + timeoutMs;
		while (Date.now() < until) {
			const waiting = await owner
				.selectFrom('projection_pending')
				.select('id')
				.limit(1)
				.executeTakeFirst()
				.catch(() => ({ id: 'unknown' }));
			if (!waiting) return;
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
	}

	const harness = {
		dataDir,
		/** Where the app writes its signed audit checkpoints, and their key. */
		checkpoints,
		owner,
		ownerUrl,
		origin,
		base,
		residents,
		/** Resident `index`'s phone; `Client` may be a subclass (the load benchmark's measures). */
		client<C extends PortalClient = PortalClient>(
			index: number,
			Client: new (...args: ConstructorParameters<typeof PortalClient>) => C = PortalClient as never
		): C {
			// 198.18.0.0/15 is the range set aside for benchmarks (RFC 2544).
			const address = options.clientAddresses
				? `198.18.${(index >> 8) & 255}.${index & 255}`
				: undefined;
			return new Client(
				base,
				origin,
				'localhost',
				residents[index % residents.length]!.soft,
				address
			);
		},
		/**
		 * A client with no passkey, for a member of staff's cookie (see staffCookie): on the back
		 * office's own node when the zones run apart.
		 */
		staffClient<C extends PortalClient = PortalClient>(
			cookie: string,
			Client: new (...args: ConstructorParameters<typeof PortalClient>) => C = PortalClient as never
		): C {
			const address = options.clientAddresses ? '198.19.0.1' : undefined;
			const [staffBase, staffOrigin] = split
				? [`http://127.0.0.1:${options.port + 1}`, `http://localhost:${options.port + 1}`]
				: [base, origin];
			return new Client(staffBase, staffOrigin, 'localhost', undefined, address).useCookies(cookie);
		},
		/** Resident 0 signed in, with a draft and a submitted request, so their pages exist. */
		async residentWithRequests() {
			const resident = harness.client(0);
			await resident.signIn();
			const draft = await resident.draftReissue();
			const sent = await resident.draftReissue();
			await resident.submit(sent.applicationId);
			return { resident, draft, sent };
		},
		/** The app's process id while it runs (the load benchmark reads its CPU time). */
		appPid: () => app?.pid,
		/** Every app process of the split deployment (its nodes; nginx aside). */
		nodePids: () => split?.pids() ?? [],
		/** With `processes` > 1: the cluster workers' process ids (children of the app's). */
		appWorkers: () =>
			(app?.pid ? childrenOf(app.pid) : []).filter((pid) => {
				try {
					// Not tsx's esbuild service, also a child.
					return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('build/index.js');
				} catch {
					return false;
				}
			}),
		/** The app's stderr so far (what an operator's log would show). */
		appLog: () => appLog,
		/** The app's error lines (its logger's level "error"), the first few, cut to fit a terminal. */
		appErrors: (limit = 5) =>
			(appLog.match(/^\{"level":"error".*$/gm) ?? [])
				.slice(0, limit)
				.map((line) => line.slice(0, 600)),
		/** The split deployment's processes and nginx (with `portalNodes`). */
		split,
		/** The network between the zones (with `exchangeRelay`). */
		relay,
		/** SIGKILL to portal node `index` (with `portalNodes`): nginx sends its traffic to the others. */
		async killPortalNode(index: number): Promise<void> {
			await split!.kill(`portal-${index}`);
		},
		async startPortalNode(index: number): Promise<void> {
			await split!.start(`portal-${index}`, spawnNode);
		},
		async startApp(): Promise<void> {
			if (split) {
				await split.startAll(spawnNode);
				if (!(await healthy(30_000)))
					throw new Error(`nginx did not answer:\n${appLog.split('\n').slice(0, 20).join('\n')}`);
				await projectionPublished(15_000);
				return;
			}
			const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...entry], {
				env,
				stdio: ['ignore', 'ignore', 'pipe']
			});
			child.stderr!.on('data', (chunk: Buffer) => (appLog += chunk.toString()));
			app = child;
			if (!(await healthy(30_000)))
				throw new Error(`the app did not start:\n${appLog.split('\n').slice(0, 20).join('\n')}`);
			await projectionPublished(15_000);
		},
		/** SIGKILL: no shutdown hooks, no draining; whatever was in flight is cut. */
		async killApp(): Promise<void> {
			const child = app;
			if (!child || child.exitCode !== null) return;
			const exited = new Promise((resolve) => child.once('exit', resolve));
			child.kill('SIGKILL');
			await exited;
		},
		async stopApp(): Promise<boolean> {
			const child = app;
			if (!child || child.exitCode !== null) return true;
			const exited = new Promise((resolve) => child.once('exit', resolve));
			child.kill('SIGTERM');
			const stopped = await Promise.race([
				exited.then(() => true),
				new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 15_000))
			]);
			if (!stopped) {
				child.kill('SIGKILL');
				await exited;
			}
			return stopped;
		},
		healthy,
		/** A fast shutdown (every connection ended), then the same cluster on the same port. */
		async restartPostgres(downMs: number): Promise<void> {
			await server.stop();
			await new Promise((resolve) => setTimeout(resolve, downMs));
			server = await startCluster(pgPort);
		},
		/** SIGKILL to the postmaster: PostgreSQL must recover from its WAL on the next start. */
		async crashPostgres(downMs: number): Promise<void> {
			const pid = Number(
				readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]
			);
			process.kill(pid, 'SIGKILL');
			// Its backends notice the postmaster is gone and exit; the pid file stays behind.
			for (let i = 0; i < 100; i++) {
				try {
					process.kill(pid, 0);
				} catch {
					break;
				}
				await new Promise((resolve) => setTimeout(resolve, 50));
			}
			await new Promise((resolve) => setTimeout(resolve, downMs));
			// The old handle's stop() would wait for an exit that has already happened.
			server = await startCluster(pgPort);
		},
		superuserUrl: (database?: string) => server.superuserUrl(database),
		/** The portal zone's own database (issue 27), as its owner. */
		portalZoneOwnerUrl: () => zoneServer.superuserUrl(portalZoneDatabase),
		/**
		 * The portal zone fails over (with `zoneStandby`): SIGKILL to its primary, the synchronous
		 * standby promoted, and the address the app uses moved to it.
		 */
		async failOverPortalZone(): Promise<void> {
			const pid = Number(
				readFileSync(path.join(zoneDataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]
			);
			process.kill(pid, 'SIGKILL');
			for (let i = 0; i < 100 && processIsAlive(pid); i++)
				await new Promise((resolve) => setTimeout(resolve, 50));
			await standby!.promote();
			zoneRelay!.retarget(standby!.server.port);
			zoneServer = standby!.server;
		},
		/** The portal zone's server: a fast shutdown, then the same cluster on the same port. */
		async restartPortalZone(downMs: number): Promise<void> {
			await zoneServer.stop();
			await new Promise((resolve) => setTimeout(resolve, downMs));
			zoneServer = await startZone(zonePort);
		},
		/**
		 * A signed-in member of staff with `role`, as the cookie a browser would hold (made by the
		 * app's own session manager: staff passkeys must be device-bound, which software keys are not).
		 */
		async staffCookie(role: string, index = 0): Promise<string> {
			const staff = await owner
				.selectFrom('staff_user')
				.innerJoin('staff_role', 'staff_role.staff_user_id', 'staff_user.id')
				.select(['staff_user.id', 'staff_user.municipality_code'])
				.where('staff_role.role_code', '=', role)
				.orderBy('staff_user.id')
				.offset(index)
				.limit(1)
				.executeTakeFirstOrThrow();
			const key = await addCredential(owner, {
				owner: { realm: 'staff', id: staff.id },
				municipalityCode: staff.municipality_code,
				credential: {
					credentialId: randomBytes(16).toString('base64url'),
					publicKey: randomBytes(77),
					signCount: 0,
					transports: ['usb'],
					backupEligible: false,
					backupState: false,
					aaguid: '00000000-0000-0000-0000-000000000000',
					attestationFormat: 'none'
				},
				nickname: 'harness',
				enrolmentId: null,
				now: new Date()
			});
			const session = await createSessionManager(owner, 'staff', {
				secureCookies: false,
				settings: () => ({ idleMinutes: 30, absoluteHours: 12 })
			}).start({
				ownerId: staff.id,
				municipalityCode: staff.municipality_code,
				credentialId: key.id,
				ip: null,
				userAgent: 'harness',
				now: new Date()
			});
			return `${session.cookie.name}=${session.token}`;
		},
		async stop(): Promise<void> {
			await harness.stopApp();
			await split?.stopAll();
			await relay?.close();
			await zoneRelay?.close();
			await owner.destroy();
			await zoneServer.stop();
			await standby?.server.stop();
			await server.stop();
			if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
		}
	};
	return harness;
}

function childrenOf(pid: number): number[] {
	return readdirSync('/proc')
		.filter((name) => /^\d+$/.test(name))
		.filter((name) => {
			try {
				const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
				return Number(stat.split(') ')[1]!.split(' ')[1]) === pid;
			} catch {
				return false; // gone
			}
		})
		.map(Number);
}

/**
 * Several portal nodes behind nginx (Debian's), sharing the portal zone's database, and one back
 * office that pulls from the portal through the same nginx: the scale-out of issue 27 on one host,
 * with the deployment's own nginx file. nginx passes the phone's X-Forwarded-For on as it came
 * (the harness's stand-in for the city's proxy chain, as the single app trusts it), so
 * per-address limits still see many phones.
 */
function splitDeployment(
	env: Record<string, string | undefined>,
	options: { port: number; nodes: number; dataDir: string }
) {
	const nginxDir = path.join(options.dataDir, 'nginx');
	mkdirSync(nginxDir, { recursive: true });
	const portalPorts = Array.from(
		{ length: options.nodes },
		(_, index) => options.port + 10 + index
	);
	const exchangeKey = parseKeySpec(env.EXCHANGE_KEY!);
	const common: Record<string, string | undefined> = { ...env, APP_PROCESSES: '1' };
	for (const name of ['APP_ROLE', 'PORT', 'ORIGIN', 'DATABASE_URL', 'PORTAL_DATABASE_URL'])
		delete common[name];
	const backofficeEnv = {
		...common,
		APP_ROLE: 'backoffice',
		PORT: String(options.port + 1),
		ORIGIN: `http://localhost:${options.port + 1}`,
		DATABASE_URL: env.DATABASE_URL,
		// Through nginx, like the residents: whichever node answers, the items are the same.
		EXCHANGE_PORTAL_URL: env.ORIGIN,
		PORTAL_ZONE_DATABASE_URL: undefined
	};
	const portalEnv = (port: number) => ({
		...common,
		APP_ROLE: 'portal',
		PORT: String(port),
		ORIGIN: env.ORIGIN,
		DATABASE_URL: env.PORTAL_DATABASE_URL,
		EXCHANGE_KEY: undefined,
		EXCHANGE_PUBLIC_KEY: publicKeyText(ed25519Signer(exchangeKey)),
		MY_NUMBER_KEY: undefined,
		DOCUMENT_KEY: undefined,
		AUDIT_CHECKPOINT_KEY: undefined,
		AUDIT_CHECKPOINT_DIR: undefined
	});
	const nodes = new Map<string, { env: Record<string, string | undefined>; port: number }>([
		['backoffice', { env: backofficeEnv, port: options.port + 1 }],
		...portalPorts.map(
			(port, index) => [`portal-${index}`, { env: portalEnv(port), port }] as const
		)
	]);
	const running = new Map<string, ChildProcess>();
	// The deployment's own file (docs/deploy/nginx-portal.conf), filled in.
	const fill: Record<string, string> = {
		PREFIX: nginxDir,
		LISTEN: `127.0.0.1:${options.port}`,
		UPSTREAMS: portalPorts
			.map((port) => `\t\tserver 127.0.0.1:${port} max_fails=1 fail_timeout=2s;`)
			.join('\n'),
		FORWARDED: '$http_x_forwarded_for',
		UNAVAILABLE: path.resolve('docs/deploy/unavailable.html')
	};
	writeFileSync(
		path.join(nginxDir, 'nginx.conf'),
		readFileSync('docs/deploy/nginx-portal.conf', 'utf8')
			.replace(/^#.*\n/gm, '')
			.replace(/\{\{([A-Z]+)\}\}/g, (_, name: string) => fill[name]!)
	);
	let nginx: ChildProcess | undefined;
	const nodeHealthy = async (port: number) => {
		const until = Date.now() + 30_000;
		while (Date.now() < until) {
			const ok = await fetch(`http://127.0.0.1:${port}/healthz`, {
				headers: { 'x-forwarded-for': '127.0.0.1' },
				signal: AbortSignal.timeout(2_000)
			})
				.then((response) => response.ok)
				.catch(() => false);
			if (ok) return;
			await new Promise((resolve) => setTimeout(resolve, 100));
		}
		throw new Error(`node on port ${port} did not answer /healthz within 30 s`);
	};
	type Spawn = (env: Record<string, string | undefined>, name: string) => ChildProcess;
	const deployment = {
		nginxDir,
		portalPorts,
		async start(name: string, spawnNode: Spawn) {
			const node = nodes.get(name)!;
			running.set(name, spawnNode(node.env, name));
			await nodeHealthy(node.port);
		},
		async kill(name: string) {
			const child = running.get(name);
			if (!child || child.exitCode !== null) return;
			const exited = new Promise((resolve) => child.once('exit', resolve));
			child.kill('SIGKILL');
			await exited;
		},
		async startAll(spawnNode: Spawn) {
			if (!existsSync(nginxBinary))
				throw new Error(`no nginx at ${nginxBinary} (Debian: apt-get install nginx)`);
			// The portal nodes first: the back office pulls from them from its first second.
			for (const name of [...nodes.keys()].reverse()) await deployment.start(name, spawnNode);
			nginx = spawn(
				nginxBinary,
				[
					'-p',
					nginxDir,
					'-c',
					path.join(nginxDir, 'nginx.conf'),
					'-e',
					path.join(nginxDir, 'error.log'),
					'-g',
					'daemon off;'
				],
				{ stdio: 'ignore' }
			);
		},
		pids: () =>
			[...running.values()].filter((child) => child.exitCode === null).map((child) => child.pid!),
		async stopAll() {
			nginx?.kill('SIGTERM');
			for (const name of running.keys()) await deployment.kill(name);
		},
		/** How many requests each portal node answered, from nginx's access log. */
		requestsPerNode(): Map<number, number> {
			const served = new Map<number, number>();
			const log = existsSync(path.join(nginxDir, 'access.log'))
				? readFileSync(path.join(nginxDir, 'access.log'), 'utf8')
				: '';
			for (const line of log.split('\n')) {
				// "… 127.0.0.1:4411 200 GET /home", or two addresses when nginx tried another node.
				for (const match of line.matchAll(/127\.0\.0\.1:(\d+)/g)) {
					const port = Number(match[1]);
					served.set(port, (served.get(port) ?? 0) + 1);
				}
			}
			return served;
		}
	};
	return deployment;
}

const nginxBinary = process.env.NGINX_PATH ?? '/usr/sbin/nginx';
