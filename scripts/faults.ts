// npm run faults [-- --quick] [--only kill9,kill9-worker,kill9-embedded,kill9-portal-node,pg-restart,pg-crash,zone-restart,zone-failover,network-cut,pool,disk-full] [--clients 8]
// Breaks the built app while residents sign in, fill in and sign 予診票の再発行 requests over
// HTTP (scripts/lib/portal-client.ts), then checks the database against what each of them was
// told: no confirmed submission lost, none twice, nothing half-written, the audit chain whole, and
// the service back without anyone touching it. Exits 1 if any check fails. `--quick` (kill -9, one
// restart of the back office's PostgreSQL and one of the portal zone's, the network between the
// zones cut) runs in npm test.
//
// Faults:
//   kill9      SIGKILL to the app mid-traffic, then a new process (what systemd's Restart= does)
//   kill9-worker  the app in two processes (APP_PROCESSES=2); SIGKILL to one of them mid-traffic:
//              the other goes on serving and the app replaces the lost one (runs on its own)
//   kill9-embedded  `npm start` on its embedded PostgreSQL, SIGKILL to the app: the server it started
//              outlives it; `npm run db:psql` attaches to it, and `npm start` again stops it and
//              starts afresh with every row kept (runs on its own, without the residents' traffic)
//   kill9-portal-node  the two zones as a city deploys them (issue 27): two portal nodes behind
//              nginx, a back office pulling from them through it; SIGKILL to each portal node in
//              turn mid-traffic: nginx sends the phones to the other, the node comes back, and
//              both nodes served (runs on its own; needs nginx)
//   pg-restart PostgreSQL fast shutdown, 2 s down, same cluster back; the app is left running
//   pg-crash   SIGKILL to the postmaster; PostgreSQL recovers from its WAL on the next start
//   zone-restart  the portal zone's PostgreSQL (issue 27) stopped for 3 s, the back office's left
//              running: residents are told to try again, nothing they were told was sent is lost,
//              and the exchange takes every item in once when the portal's database is back
//   zone-failover  the portal zone's PostgreSQL with a synchronous streaming standby (scripts/lib/
//              standby.ts); SIGKILL to the primary mid-traffic, the standby promoted and the address
//              the app uses moved to it (a relay, as a virtual IP): nothing a resident was told was
//              sent is lost or taken in twice (runs on its own)
//   network-cut  the network between the zones (issue 27: the back office reaches the portal through
//              a relay, scripts/lib/cuttable-relay.ts) reset for 3 s, then a blackhole for 20 s —
//              longer than an acknowledgement waits, so one in flight is lost after its commit: the
//              residents go on, and the back office takes every waiting item in once when it is back
//   pool       every PostgreSQL connection slot taken by another client, and 200 requests at once
//              against a pool of 10
//   disk-full  the cluster on a 512 MB tmpfs, filled to the last byte, then emptied (root only)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
	chmodSync,
	closeSync,
	mkdirSync,
	mkdtempSync,
	openSync,
	readFileSync,
	rmSync,
	writeSync
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import { freePort, processIsAlive } from '../src/lib/server/db/embedded';
import { startHarness, type Harness } from './lib/app-harness';
import { PortalClient, PortalError } from './lib/portal-client';
import { signedActKinds } from '../src/lib/server/exchange/items';
import { findings, Ledger, type Answer } from './lib/submission-ledger';

const { values } = parseArgs({
	options: {
		quick: { type: 'boolean', default: false },
		only: { type: 'string' },
		clients: { type: 'string' }
	}
});
const all = [
	'kill9',
	'kill9-worker',
	'kill9-embedded',
	'kill9-portal-node',
	'pg-restart',
	'pg-crash',
	'zone-restart',
	'zone-failover',
	'network-cut',
	'pool',
	'disk-full'
];
const alone = ['kill9-worker', 'kill9-embedded', 'kill9-portal-node', 'zone-failover'];
const chosen = values.only
	? values.only.split(',')
	: values.quick
		? ['kill9', 'pg-restart', 'zone-restart', 'network-cut']
		: all.filter((name) => !alone.includes(name));
for (const name of chosen) if (!all.includes(name)) throw new Error(`unknown fault ${name}`);
// A worker is killed in an app of two processes; the other faults run on one, as npm start does.
if (chosen.some((name) => alone.includes(name)) && chosen.length > 1)
	throw new Error(
		`${alone.join(' and ')} run alone (--only ${alone[0]}): each needs an app of its own`
	);
const processes = chosen.includes('kill9-worker') ? 2 : 1;
const clients = Number(values.clients ?? (values.quick ? 6 : 10));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
if (chosen[0] === 'kill9-embedded') process.exit((await kill9Embedded()) ? 0 : 1);

/** Residents at work until stopped: sign in, draft, tap start twice, sign and submit. */
function traffic(harness: Harness, ledger: Ledger) {
	let running = true;
	const workers = Array.from({ length: clients }, async (_, index) => {
		const client = harness.client(index);
		let signedIn = false;
		while (running) {
			try {
				if (!signedIn) {
					await client.signIn();
					signedIn = true;
				}
				const draft = await client.draftReissue();
				const again = await client.form('/apply/reissue', { start_key: draft.startKey });
				if (!again.includes(draft.applicationId)) ledger.doubleTapSplits++;
				await submitLikeAPerson(client, ledger, draft.applicationId, draft.startKey, () => running);
				// And an agreement signed on the portal, which the back office takes in through the
				// exchange (issue 27): counted when the portal said it was sent.
				await client.consent();
				ledger.consentsSent++;
			} catch (error) {
				const answer = ledger.failure(error);
				if (error instanceof PortalError && error.status === 401) signedIn = false;
				await sleep(answer === 'no answer' ? 100 : 300);
			}
		}
	});
	return async () => {
		running = false;
		await Promise.all(workers);
	};
}

/**
 * Taps "sign and send" again after an error, for up to 30 s, as a person would; stops when the
 * portal confirms or says the draft can no longer be signed (it was sent by an earlier tap).
 */
async function submitLikeAPerson(
	client: PortalClient,
	ledger: Ledger,
	applicationId: string,
	startKey: string,
	running: () => boolean
) {
	const until = Date.now() + 30_000;
	let uncertain = false;
	for (;;) {
		try {
			await client.submit(applicationId);
			ledger.count('ok');
			ledger.told(applicationId, startKey, 'accepted');
			return;
		} catch (error) {
			const answer: Answer = ledger.failure(error);
			// Told that it was sent: the database must hold it exactly once, like a confirmation.
			if (answer === 'already sent') {
				ledger.told(applicationId, startKey, 'accepted');
				return;
			}
			if (answer === '4xx') {
				ledger.told(applicationId, startKey, uncertain ? 'unknown' : 'refused');
				return;
			}
			uncertain = true;
			if (Date.now() > until || !running()) {
				ledger.told(applicationId, startKey, 'unknown');
				return;
			}
			await sleep(answer === 'no answer' ? 150 : 500);
		}
	}
}

/** Seconds until a fresh resident's submission goes through again. */
async function recovery(harness: Harness, from: number): Promise<number> {
	const client = harness.client(clients); // a resident the traffic does not use
	const until = Date.now() + 60_000;
	for (;;) {
		try {
			await client.signIn();
			const draft = await client.draftReissue();
			await client.submit(draft.applicationId);
			return (Date.now() - from) / 1000;
		} catch (error) {
			if (Date.now() > until) throw new Error(`no recovery within 60 s: ${String(error)}`);
			await sleep(200);
		}
	}
}

type Result = { fault: string; detail: string; recoverySeconds: number; answers: string };

async function withTraffic(
	harness: Harness,
	ledger: Ledger,
	fault: string,
	act: () => Promise<{ detail: string; backAt: number }>
): Promise<Result> {
	const before = new Map(ledger.answers);
	const stop = traffic(harness, ledger);
	await sleep(3_000);
	const { detail, backAt } = await act();
	const recoverySeconds = await recovery(harness, backAt);
	await sleep(2_000);
	await stop();
	const answers = [...ledger.answers]
		.map(([answer, n]) => [answer, n - (before.get(answer) ?? 0)] as const)
		.filter(([, n]) => n > 0)
		.map(([answer, n]) => `${answer} ${n}`)
		.join(', ');
	return { fault, detail, recoverySeconds, answers };
}

/** How many items the portal zone holds now (its current primary). */
async function itemsOnThePortal(harness: Harness): Promise<number> {
	const zone = new pg.Client({ connectionString: harness.portalZoneOwnerUrl() });
	await zone.connect();
	try {
		return Number((await zone.query('SELECT count(*) AS n FROM exchange_item')).rows[0].n);
	} finally {
		await zone.end();
	}
}

/**
 * What crossed the exchange (issue 27), once the back office has caught up: every item the
 * portal holds (consents and submissions) taken in exactly once, each applied one stored as
 * exactly one signed act, none refused (every item here is genuine), and none lost of those the
 * residents were told were sent (the submissions' own check, `findings`, runs after this).
 */
async function exchangeFindings(harness: Harness, ledger: Ledger) {
	const zone = new pg.Client({
		connectionString: harness.portalZoneOwnerUrl()
	});
	await zone.connect();
	try {
		const waiting = async () =>
			Number(
				(await zone.query('SELECT count(*) AS n FROM exchange_item WHERE taken_at IS NULL')).rows[0]
					.n
			);
		const until = Date.now() + 30_000;
		while ((await waiting()) > 0 && Date.now() < until) await sleep(250);
		const items = (
			await zone.query<{ seq: string; kind: string; outcome: string | null }>(
				'SELECT seq::text, kind, outcome FROM exchange_item ORDER BY seq'
			)
		).rows;
		const intake = (
			await sql<{ seq: string; kind: string; outcome: string; signed_act_id: string | null }>`
				SELECT seq::text, kind, outcome, signed_act_id FROM exchange_intake`.execute(harness.owner)
		).rows;
		const signed = Number(
			(
				await sql<{
					n: number;
				}>`SELECT count(*)::int AS n FROM signed_act WHERE kind IN ('consent', 'submit', 'withdraw', 'desk_request')`.execute(
					harness.owner
				)
			).rows[0]!.n
		);
		const problems: string[] = [];
		const untaken = items.filter((item) => item.outcome === null);
		if (untaken.length) problems.push(`exchange: ${untaken.length} items never taken in`);
		// Each consent a resident was told was sent is an item on the portal (a failover too).
		const consents = items.filter((item) => item.kind === 'consent').length;
		if (consents < ledger.consentsSent)
			problems.push(
				`exchange: ${ledger.consentsSent} consents told "sent", ${consents} on the portal`
			);
		const taken = new Map(intake.map((row) => [row.seq, row]));
		const missing = items.filter((item) => !taken.has(item.seq));
		if (missing.length) problems.push(`exchange: ${missing.length} items with no intake record`);
		for (const item of items) {
			const row = taken.get(item.seq);
			if (row && item.outcome !== null && row.outcome !== item.outcome)
				problems.push(
					`exchange: item ${item.seq} ${item.outcome} on the portal, ${row.outcome} inside`
				);
		}
		// The signed acts among them (sign-ins and views are reported too, and store no act).
		const applied = intake.filter(
			(row) => row.outcome === 'applied' && signedActKinds.includes(row.kind as never)
		);
		// Moved: a genuine act whose application had moved on (a retry after a lost answer).
		const moved = intake.filter((row) => row.outcome === 'moved').length;
		const refused = intake.filter((row) => row.outcome === 'refused').length;
		if (refused) problems.push(`exchange: ${refused} genuine items refused`);
		if (
			signed !== applied.length ||
			new Set(applied.map((row) => row.signed_act_id)).size !== signed
		)
			problems.push(`exchange: ${applied.length} items applied but ${signed} signed acts`);
		return {
			items: items.length,
			taken: intake.length,
			applied: applied.length,
			moved,
			refused,
			signed,
			problems
		};
	} finally {
		await zone.end();
	}
}

/** How often the back office's pull has failed so far (its log's exchange_pull_failed). */
const pullFailures = (harness: Harness) =>
	(harness.appLog().match(/"event":"exchange_pull_failed"/g) ?? []).length;

/** The portal zone's items not taken in yet, of those that arrived before a moment. */
async function waitingItems(harness: Harness) {
	const zone = new pg.Client({ connectionString: harness.portalZoneOwnerUrl() });
	await zone.connect();
	const count = async (before: Date) =>
		Number(
			(
				await zone.query(
					'SELECT count(*) AS n FROM exchange_item WHERE taken_at IS NULL AND arrived_at < $1',
					[before]
				)
			).rows[0].n
		);
	return {
		count,
		/** Milliseconds until none of them is left. */
		async takenBy(before: Date, timeoutMs: number): Promise<number> {
			const started = Date.now();
			while ((await count(before)) > 0) {
				if (Date.now() - started > timeoutMs)
					throw new Error(`items still waiting ${timeoutMs / 1000} s after the network came back`);
				await sleep(100);
			}
			return Date.now() - started;
		},
		end: () => zone.end()
	};
}

/** Waits for a signed submission on its way (sent, not yet answered): the moment to kill. */
/**
 * The one command's own database after a kill -9 (issue 24, item 8): `npm start` on an embedded
 * PostgreSQL is killed with SIGKILL; its server lives on holding the data directory. db:psql
 * must attach to it, and `npm start` again must stop it, start afresh and keep every row.
 */
async function kill9Embedded(): Promise<boolean> {
	const dataDir = mkdtempSync(path.join(os.tmpdir(), 'faults-embedded-'));
	chmodSync(dataDir, 0o755);
	const port = await freePort();
	const env = {
		...process.env,
		PORT: String(port),
		DATA_DIR: dataDir,
		DATABASE_URL: '',
		APP_ROLE: 'all',
		APP_PROCESSES: '1'
	};
	const started = Date.now();
	const postmaster = () =>
		Number(readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
	const psql = (sqlText: string) =>
		spawnSync(process.execPath, ['--import', 'tsx', 'scripts/lib/sql-shell.ts', '-tAc', sqlText], {
			env,
			encoding: 'utf8',
			timeout: 60_000
		});
	let log = '';
	const start = async () => {
		const app = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
			env,
			stdio: ['ignore', 'pipe', 'pipe']
		});
		app.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
		app.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
		const until = Date.now() + 240_000;
		for (;;) {
			if (app.exitCode !== null) throw new Error(`npm start exited with ${app.exitCode}`);
			const ok = await fetch(`http://127.0.0.1:${port}/healthz`)
				.then((response) => response.ok)
				.catch(() => false);
			if (ok) return app;
			if (Date.now() > until) throw new Error('npm start did not answer /healthz within 240 s');
			await sleep(250);
		}
	};
	const problems: string[] = [];
	let app: ReturnType<typeof spawn> | undefined;
	try {
		app = await start();
		const first = postmaster();
		app.kill('SIGKILL');
		await new Promise((resolve) => app!.once('exit', resolve));
		if (!processIsAlive(first))
			problems.push('the embedded PostgreSQL did not outlive the app (nothing was tested)');
		const attached = psql('SELECT count(*) FROM resident');
		if (attached.status !== 0 || !(Number(attached.stdout.trim()) > 0))
			problems.push(`db:psql did not attach to the running server: ${attached.stderr.trim()}`);
		app = await start();
		if (processIsAlive(first))
			problems.push(`the orphaned PostgreSQL ${first} still runs after npm start`);
		const kept = psql('SELECT count(*) FROM resident');
		if (kept.stdout.trim() !== attached.stdout.trim())
			problems.push(`residents before ${attached.stdout.trim()}, after ${kept.stdout.trim()}`);
		const second = postmaster();
		app.kill('SIGTERM');
		await new Promise((resolve) => app!.once('exit', resolve));
		app = undefined;
		const until = Date.now() + 30_000;
		while (processIsAlive(second) && Date.now() < until) await sleep(100);
		if (processIsAlive(second))
			problems.push('npm start stopped by SIGTERM left its PostgreSQL running');
		console.log(
			`kill9-embedded       SIGKILL to npm start; its PostgreSQL ${first} lived on; db:psql attached (${attached.stdout.trim()} residents); npm start stopped it and served again with every row; ${((Date.now() - started) / 1000).toFixed(0)} s`
		);
	} catch (error) {
		problems.push((error as Error).message);
	} finally {
		if (app && app.exitCode === null) app.kill('SIGKILL');
		try {
			const left = postmaster();
			if (processIsAlive(left)) process.kill(left, 'SIGINT');
		} catch {
			// no server left
		}
	}
	for (const problem of problems) console.error(`FAIL ${problem}`);
	if (problems.length) console.error(log.slice(-2_000));
	else rmSync(dataDir, { recursive: true, force: true });
	return problems.length === 0;
}

async function submissionsInFlight(): Promise<number> {
	await sleep(500);
	const until = Date.now() + 10_000;
	while (PortalClient.submitting === 0 && Date.now() < until) await sleep(1);
	await sleep(Math.random() * 20);
	return PortalClient.submitting;
}

const faults: Record<string, (harness: Harness, ledger: Ledger) => Promise<Result>> = {
	kill9: (harness, ledger) =>
		withTraffic(harness, ledger, 'kill -9 the app', async () => {
			const signing: number[] = [];
			for (let kill = 0; kill < (values.quick ? 1 : 3); kill++) {
				signing.push(await submissionsInFlight());
				await harness.killApp();
				await harness.startApp();
			}
			return {
				detail: `SIGKILL ×${signing.length}, each time a new process; signed submissions in flight at each kill: ${signing.join(', ')}`,
				backAt: Date.now()
			};
		}),
	'kill9-worker': (harness, ledger) =>
		withTraffic(harness, ledger, 'kill -9 a worker', async () => {
			const signing: number[] = [];
			let replaced = 0;
			for (let kill = 0; kill < (values.quick ? 1 : 3); kill++) {
				signing.push(await submissionsInFlight());
				const before = harness.appWorkers();
				if (before.length !== processes)
					throw new Error(`${before.length} app processes running, not ${processes}`);
				process.kill(before[0]!, 'SIGKILL');
				// The app forks a new worker within a few seconds, without anyone's help.
				const by = Date.now() + 10_000;
				for (;;) {
					const now = harness.appWorkers();
					const fresh = now.find((pid) => !before.includes(pid));
					// Serving, not only started: killing the one listening worker next would be
					// another fault (the whole app down).
					if (
						fresh &&
						now.length === processes &&
						harness.appLog().includes(`"app_process_listening","pid":${fresh}}`)
					)
						break;
					if (Date.now() > by) throw new Error('the killed worker was not replaced within 10 s');
					await sleep(100);
				}
				replaced++;
			}
			return {
				detail: `SIGKILL to one of ${processes} processes ×${signing.length}, ${replaced} replaced by the app; signed submissions in flight at each kill: ${signing.join(', ')}`,
				backAt: Date.now()
			};
		}),
	'kill9-portal-node': (harness, ledger) =>
		withTraffic(harness, ledger, 'kill -9 a portal node', async () => {
			const signing: number[] = [];
			const port = (index: number) => harness.split!.portalPorts[index]!;
			for (const index of [0, 1]) {
				signing.push(await submissionsInFlight());
				await harness.killPortalNode(index);
				await sleep(2_000);
				await harness.startPortalNode(index);
				// Back in nginx's rotation before the other one goes: one node down at a time, as
				// a rolling restart or a lost machine would have it.
				const before = harness.split!.requestsPerNode().get(port(index)) ?? 0;
				const until = Date.now() + 15_000;
				while ((harness.split!.requestsPerNode().get(port(index)) ?? 0) <= before) {
					if (Date.now() > until) throw new Error(`portal node ${index} got no traffic back`);
					await sleep(100);
				}
			}
			const served = harness.split!.requestsPerNode();
			const perNode = harness.split!.portalPorts.map((nodePort) => served.get(nodePort) ?? 0);
			if (perNode.some((count) => count === 0))
				throw new Error(`a portal node served nothing behind nginx: ${perNode.join(', ')}`);
			return {
				detail: `2 portal nodes behind nginx and a back office pulling through it; SIGKILL to each in turn, back after 2 s; signed submissions in flight at each kill: ${signing.join(', ')}; requests per node ${perNode.join(', ')}`,
				backAt: Date.now()
			};
		}),
	'pg-restart': (harness, ledger) =>
		withTraffic(harness, ledger, 'restart PostgreSQL', async () => {
			await harness.restartPostgres(2_000);
			return { detail: 'fast shutdown, 2 s down, app left running', backAt: Date.now() };
		}),
	'pg-crash': (harness, ledger) =>
		withTraffic(harness, ledger, 'kill -9 PostgreSQL', async () => {
			await harness.crashPostgres(1_000);
			return { detail: 'SIGKILL to the postmaster, WAL recovery', backAt: Date.now() };
		}),
	'zone-restart': (harness, ledger) =>
		withTraffic(harness, ledger, "restart the portal zone's PostgreSQL", async () => {
			await harness.restartPortalZone(3_000);
			return {
				detail:
					"fast shutdown of the portal zone's server, 3 s down; the back office's left running",
				backAt: Date.now()
			};
		}),
	'zone-failover': (harness, ledger) =>
		withTraffic(harness, ledger, 'fail the portal zone over', async () => {
			const before = await itemsOnThePortal(harness);
			await harness.failOverPortalZone();
			const after = await itemsOnThePortal(harness);
			if (after < before)
				throw new Error(`the promoted standby holds ${after} items, the primary held ${before}`);
			return {
				detail: `SIGKILL to the portal zone's primary (${before} items on it a moment before); its synchronous standby promoted and the app's address moved to it`,
				backAt: Date.now()
			};
		}),
	'network-cut': (harness, ledger) =>
		withTraffic(harness, ledger, 'cut the zones apart', async () => {
			const relay = harness.relay!;
			const waiting = await waitingItems(harness);
			try {
				const before = relay.connections();
				const failuresBefore = pullFailures(harness);
				await relay.cut('reset', 3_000);
				// Through again, on a new connection, before the second cut.
				const until = Date.now() + 15_000;
				while (relay.connections() === before) {
					if (Date.now() > until) throw new Error('the back office did not reconnect within 15 s');
					await sleep(100);
				}
				await sleep(2_000);
				await relay.cut('blackhole', 20_000);
				const restored = new Date();
				const held = await waiting.count(restored);
				if (held === 0) throw new Error('nothing waited through the blackhole: nothing was tested');
				const caughtUp = await waiting.takenBy(restored, 60_000);
				return {
					detail: `reset 3 s, then a 20 s blackhole; the back office's pull failed ${pullFailures(harness) - failuresBefore} times and went on by itself; ${held} items waited and were taken in ${(caughtUp / 1000).toFixed(1)} s after the network came back`,
					backAt: Date.now()
				};
			} finally {
				await waiting.end();
			}
		}),
	pool: async (harness, ledger) => {
		// 1. Somebody else holds every connection slot PostgreSQL has.
		const hogs: pg.Client[] = [];
		const result = await withTraffic(harness, ledger, 'exhaust connections', async () => {
			for (;;) {
				const hog = new pg.Client({ connectionString: harness.superuserUrl('harness') });
				try {
					await hog.connect();
					hogs.push(hog);
				} catch {
					break; // only the superuser-reserved slots are left
				}
			}
			await sleep(5_000);
			await Promise.all(hogs.map((hog) => hog.end()));
			return { detail: `${hogs.length} slots held for 5 s`, backAt: Date.now() };
		});
		// 2. 200 residents' pages at once against the app's 10 connections: they queue, and
		// whatever waits more than 5 s for a connection is told so, not left hanging.
		const client = harness.client(0);
		await client.signIn();
		const burst = await Promise.all(
			Array.from({ length: 200 }, async () => {
				try {
					await client.get('/home');
					return 'ok' as const;
				} catch (error) {
					return ledger.failure(error);
				}
			})
		);
		const tally = new Map<string, number>();
		for (const answer of burst) tally.set(answer, (tally.get(answer) ?? 0) + 1);
		result.detail += `; then 200 at once: ${[...tally].map(([a, n]) => `${a} ${n}`).join(', ')}`;
		return result;
	},
	'disk-full': async (harness, ledger) =>
		withTraffic(harness, ledger, 'fill the disk', async () => {
			const filler = path.join(harness.dataDir, 'filler');
			const fd = openSync(filler, 'w');
			const block = Buffer.alloc(1 << 20);
			let written = 0;
			try {
				for (;;) written += writeSync(fd, block);
			} catch {
				// ENOSPC: the file system is full
			}
			closeSync(fd);
			await sleep(5_000);
			rmSync(filler);
			// PostgreSQL may have stopped itself (a WAL write that found no space is a PANIC);
			// a supervisor starts it again.
			if (!(await harness.healthy(3_000))) await harness.restartPostgres(0).catch(() => {});
			return {
				detail: `file system filled (${(written / 2 ** 20).toFixed(0)} MB) for 5 s`,
				backAt: Date.now()
			};
		})
};

let mount: string | undefined;
if (chosen.includes('disk-full')) {
	if (os.userInfo().uid !== 0) {
		console.log('disk-full needs root (a tmpfs mount); skipped');
		chosen.splice(chosen.indexOf('disk-full'), 1);
	} else {
		mount = path.join(os.tmpdir(), `vaccination-faults-${process.pid}`);
		mkdirSync(mount, { recursive: true });
		execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=512m', 'tmpfs', mount]);
	}
}

const started = Date.now();
const harness = await startHarness({
	port: 4391,
	residents: 400,
	clients: clients + 1,
	// Each resident's phone has its own address, as in the load benchmark: on one shared address
	// a fast host reached the per-address ceremony limit (1,200 a minute) and answered 429.
	clientAddresses: true,
	dataDir: mount,
	processes,
	portalNodes: chosen.includes('kill9-portal-node') ? 2 : undefined,
	exchangeRelay: chosen.includes('network-cut'),
	zoneStandby: chosen.includes('zone-failover')
});
const ledger = new Ledger();
const results: Result[] = [];
let failed = false;
try {
	await harness.startApp();
	console.log(`faults: ${chosen.join(', ')}; ${clients} residents submitting throughout`);
	for (const name of chosen) {
		const result = await faults[name]!(harness, ledger);
		results.push(result);
		console.log(
			`${result.fault.padEnd(20)} ${result.detail}\n${''.padEnd(20)} back in ${result.recoverySeconds.toFixed(1)} s; answers: ${result.answers}`
		);
	}
	// The exchange first: a submission told "sent" is in the back office once it has caught up.
	const exchanged = await exchangeFindings(harness, ledger);
	const found = await findings(harness.owner, ledger, harness.checkpoints);
	const problems = [
		...exchanged.problems,
		...found.lost.map((id) => `lost: ${id}`),
		...found.duplicated.map((id) => `duplicated: ${id}`),
		...found.halfWritten.map((id) => `half-written: ${id}`),
		...(found.auditChainBreak ? [`audit chain: ${found.auditChainBreak}`] : []),
		...(ledger.doubleTapSplits ? [`${ledger.doubleTapSplits} double taps made two drafts`] : [])
	];
	// A 500 where a 503, a 409 or a 4xx was due leaves a person unsure of the outcome.
	problems.push(...ledger.unclear.map((line) => `unclear error: ${line}`));
	console.log(
		`submissions confirmed ${found.confirmed}; outcome unknown to the resident ${found.unknownThenSubmitted + found.unknownStillDraft} ` +
			`(${found.unknownThenSubmitted} went through, ${found.unknownStillDraft} still a draft they can send); ` +
			`lost ${found.lost.length}; duplicated ${found.duplicated.length}; half-written ${found.halfWritten.length}; ` +
			`audit chain ${found.auditChainBreak ? 'BROKEN' : 'intact'}, signed checkpoints ${found.checkpoints} (all agree); ${((Date.now() - started) / 1000).toFixed(0)} s`
	);
	console.log(
		`exchange: consents told "sent" ${ledger.consentsSent}; items on the portal ${exchanged.items} (consents and submissions), taken in ${exchanged.taken} ` +
			`(applied ${exchanged.applied}, moved on ${exchanged.moved}, refused ${exchanged.refused}); signed acts in the back office ${exchanged.signed}`
	);
	if (ledger.consentsSent === 0)
		problems.push('no consent was sent: the exchange was not exercised');
	if (found.confirmed === 0) problems.push('no submission was confirmed: the traffic did not run');
	for (const problem of problems) console.error(`FAIL ${problem}`);
	if (problems.length) {
		for (const line of harness.appErrors()) console.error(`app: ${line}`);
	}
	failed = problems.length > 0;
} catch (error) {
	console.error(error);
	console.error(harness.appLog().slice(-2_000));
	failed = true;
} finally {
	await harness.stop();
	if (mount) {
		execFileSync('umount', [mount]);
		rmSync(mount, { recursive: true, force: true });
	}
}
process.exit(failed ? 1 : 0);
