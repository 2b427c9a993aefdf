// npm run bench:load [-- --seconds 20 --warmup 30 --rates 50,100,300 --residents 20000 --clients 40 --processes 2 --portal-nodes 2 --paths]
// Load on the built app (node build/index.js, as adapter-node serves it) over loopback, on a
// throw-away embedded PostgreSQL with the demo city and the audit log on.
//
// Mixed traffic: resident phones (each with its own software passkey and its own address) sign in
// with a WebAuthn assertion, open the dashboard, a person's record, their requests and documents;
// some fill in a 予診票の再発行 and sign it; they sign out. A caseworker takes new cases and
// prepares them; an approver (someone else: maker ≠ checker) approves them, which issues the
// 予診票 PDF. Every request goes through one gate that lets requests out at the asked rate
// (open loop while any client is ready; a client waits for its answer before its next request, so
// once the app saturates the achieved rate falls below the asked one, and that is reported).
// Latency is from sending a request to having read its whole answer.
//
// --paths adds the single-path figures (autocannon on /home, /staff/cases, /healthz); --waits
// samples what PostgreSQL's sessions wait on (pg_stat_activity, every 50 ms) at each rate;
// --processes N serves the app in N processes (APP_PROCESSES; 2, one per core, unless told);
// --portal-nodes N runs the zones apart instead (issue 27): N portal nodes behind nginx, the
// residents' traffic through it, and a back office the staff use, pulling through nginx;
// --statements prints the statements PostgreSQL spent most time on at each rate
// (pg_stat_statements, loaded for this run only); --profile DIR writes the app's CPU profile
// there (node --cpu-prof; open it in Chrome DevTools).
import { readdirSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { sql } from 'kysely';
import { startHarness } from '../lib/app-harness';
import { PortalClient, PortalError } from '../lib/portal-client';

const { values } = parseArgs({
	options: {
		seconds: { type: 'string', default: '20' },
		warmup: { type: 'string', default: '30' },
		rates: { type: 'string', default: '50,100,300' },
		residents: { type: 'string', default: '20000' },
		clients: { type: 'string', default: '40' },
		paths: { type: 'boolean', default: false },
		waits: { type: 'boolean', default: false },
		statements: { type: 'boolean', default: false },
		processes: { type: 'string', default: '2' },
		'portal-nodes': { type: 'string' },
		profile: { type: 'string' }
	}
});
const seconds = Number(values.seconds);
const rates = values.rates.split(',').map(Number);
const clientCount = Number(values.clients);

/** Lets one request out every 1/rate s; none when stopped; no gate when rate is 0 (flat out). */
class Gate {
	private next = 0;
	private waiting: (() => void)[] = [];
	private timer: NodeJS.Timeout | undefined;
	constructor(private readonly rate: number) {}
	take(): Promise<void> {
		if (this.rate === 0) return Promise.resolve();
		return new Promise((resolve) => {
			this.waiting.push(resolve);
			this.schedule();
		});
	}
	private schedule() {
		if (this.timer || this.waiting.length === 0) return;
		const now = performance.now();
		// Slots do not pile up while nobody waits: at most a 50 ms burst is made up.
		this.next = Math.max(this.next, now - 50);
		this.timer = setTimeout(
			() => {
				this.timer = undefined;
				const now = performance.now();
				while (this.waiting.length > 0 && this.next <= now) {
					this.next += 1000 / this.rate;
					this.waiting.shift()!();
				}
				this.schedule();
			},
			Math.max(0, this.next - now)
		);
	}
}

type Sample = { label: string; ms: number; status: number };
let gate = new Gate(0);
let samples: Sample[] = [];
let measuring = false;

/** A label for the figures: the method and route, ids taken out. */
function labelOf(method: string, path: string): string {
	const [route, query = ''] = path.split('?');
	const shape = route!
		.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, ':id')
		.replace(/\/people\/[A-Za-z0-9_-]{22}/, '/people/:ref');
	const action = query.startsWith('/') ? `?${query}` : '';
	return `${method} ${shape.replace(/^\/applications\/:id\/(person|dose|reason|delivery)$/, '/applications/:id/:step')}${action}`;
}

/** A PortalClient whose every request waits for the gate and is timed. */
class MeasuredClient extends PortalClient {
	override async request(path: string, init: RequestInit = {}): Promise<Response> {
		await gate.take();
		const started = performance.now();
		let status = 0;
		try {
			// The answer is read whole before it resolves: the time includes the body.
			const response = await super.request(path, init);
			status = response.status;
			return response;
		} finally {
			if (measuring) {
				samples.push({
					label: labelOf(init.method ?? 'GET', path),
					ms: performance.now() - started,
					status
				});
			}
		}
	}
}

const counts = { signIns: 0, submissions: 0, prepared: 0, approved: 0, failures: 0 };
const failureText = new Map<string, number>();
let running = true;

function noteFailure(error: unknown) {
	counts.failures++;
	const text =
		error instanceof PortalError ? `${error.message} ${error.body.slice(0, 120)}` : String(error);
	failureText.set(text, (failureText.get(text) ?? 0) + 1);
}

const hrefs = (html: string, pattern: RegExp) => [...html.matchAll(pattern)].map((m) => m[1]!);

async function residentLoop(client: MeasuredClient, index: number) {
	for (let round = 0; running; round++) {
		try {
			await client.signIn();
			counts.signIns++;
			const home = await (await client.get('/home')).text();
			const [person] = hrefs(home, /href="[^"]*\/people\/([A-Za-z0-9_-]{22})"/g);
			if (person) await client.get(`/people/${person}`);
			await client.get('/applications');
			// About one visit in three asks for something; the others look and leave.
			if ((round + index) % 3 === 0) {
				const draft = await client.draftReissue();
				await client.submit(draft.applicationId);
				counts.submissions++;
				await client.get(`/applications/${draft.applicationId}`);
			} else {
				await client.get('/documents');
			}
			await client.form('/sign-out', {});
		} catch (error) {
			noteFailure(error);
		}
	}
}

const updatedAt = (html: string) => html.match(/name="updated_at" value="([^"]+)"/)?.[1] ?? '';
const idle = () => new Promise((resolve) => setTimeout(resolve, 100));

/** The caseworker: takes the oldest new case and drafts the decision (起案して決裁に回す). */
async function caseworkerLoop(client: MeasuredClient) {
	while (running) {
		try {
			const queue = await (await client.get('/staff/cases?queue=new')).text();
			const [id] = hrefs(queue, /href="[^"]*\/staff\/cases\/([0-9a-f-]{36})"/g);
			if (!id) {
				await idle();
				continue;
			}
			const page = `/staff/cases/${id}`;
			await client.form(`${page}?/assign`, {
				updated_at: updatedAt(await (await client.get(page)).text())
			});
			await client.form(`${page}?/prepare`, {
				updated_at: updatedAt(await (await client.get(page)).text())
			});
			counts.prepared++;
		} catch (error) {
			noteFailure(error);
		}
	}
}

/** The approver: approves what waits for approval, which issues the document. */
async function approverLoop(client: MeasuredClient) {
	while (running) {
		try {
			const queue = await (await client.get('/staff/cases?queue=awaiting_approval')).text();
			const [id] = hrefs(queue, /href="[^"]*\/staff\/cases\/([0-9a-f-]{36})"/g);
			if (!id) {
				await idle();
				continue;
			}
			const page = `/staff/cases/${id}`;
			await client.form(`${page}?/approve`, {
				updated_at: updatedAt(await (await client.get(page)).text())
			});
			counts.approved++;
		} catch (error) {
			noteFailure(error);
		}
	}
}

/** CPU seconds so far: the app's process (and its kernel share), PostgreSQL, this generator, steal. */
function cpuSeconds(appPids: number[]) {
	const tick = 100; // USER_HZ on Linux
	const stat = (pid: string) => {
		try {
			const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
			// utime, stime, and cutime + cstime: what exited children used (a backend that ended
			// during the run is counted in the postmaster's).
			return [Number(fields[11]), Number(fields[12]), Number(fields[13]) + Number(fields[14])];
		} catch {
			return [0, 0, 0];
		}
	};
	let postgres = 0;
	let app = 0;
	let appKernel = 0;
	for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
		try {
			if (appPids.includes(Number(pid))) {
				const [user, system] = stat(pid);
				app += (user! + system!) / tick;
				appKernel += system! / tick;
				continue;
			}
			if (!readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('postgres')) continue;
			const [user, system, children] = stat(pid);
			postgres += (user! + system! + children!) / tick;
		} catch {
			// gone
		}
	}
	const own = process.cpuUsage();
	// Steal: time the virtual machine's host gave to others while this machine wanted to run.
	// On a shared host it changes every figure here, so it is printed beside them.
	const total = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.split(/\s+/).slice(1);
	return {
		stolen: Number(total[7] ?? 0) / tick,
		app,
		appKernel,
		postgres,
		generator: (own.user + own.system) / 1e6
	};
}

/** Transactions committed in the app's database so far (each autocommit statement is one). */
async function commits(): Promise<number> {
	const { rows } = await sql<{ n: string }>`
		SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()`.execute(
		harness.owner
	);
	return Number(rows[0]!.n);
}

const percentile = (sorted: number[], p: number) =>
	sorted.length
		? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
		: 0;
const ms = (value: number) => `${value.toFixed(0)} ms`;

const harness = await startHarness({
	port: 4390,
	residents: Number(values.residents),
	clients: clientCount,
	clientAddresses: true,
	nodeArgs: values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : [],
	processes: Number(values.processes),
	portalNodes: values['portal-nodes'] ? Number(values['portal-nodes']) : undefined,
	postgresSettings: values.statements
		? ['shared_preload_libraries=pg_stat_statements', 'pg_stat_statements.track=all']
		: []
});
if (values.statements)
	await sql`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`.execute(harness.owner);

/** What PostgreSQL spent its time on since the last reset: the top statements by total time. */
async function topStatements(requests: number): Promise<string[]> {
	const { rows } = await sql<{ query: string; calls: string; total: number; mean: number }>`
		SELECT left(regexp_replace(query, '[[:space:]]+', ' ', 'g'), 90) AS query, calls,
			total_exec_time AS total, mean_exec_time AS mean
		FROM pg_stat_statements
		WHERE query NOT ILIKE '%pg_stat_%'
		ORDER BY total_exec_time DESC LIMIT 8`.execute(harness.owner);
	const per = (value: number) => (value / Math.max(1, requests)).toFixed(2);
	return rows.map(
		(row) =>
			`${per(row.total)} ms/request, ${per(Number(row.calls))} calls/request, mean ${row.mean.toFixed(2)} ms: ${row.query}`
	);
}
/** The app's process and, with --processes, its cluster workers. */
const appProcesses = () => [harness.appPid() ?? 0, ...harness.appWorkers(), ...harness.nodePids()];
try {
	await harness.startApp();
	const residents = Array.from({ length: clientCount }, (_, i) =>
		harness.client(i, MeasuredClient)
	);
	const caseworker = harness.staffClient(await harness.staffCookie('caseworker'), MeasuredClient);
	const approver = harness.staffClient(await harness.staffCookie('approver'), MeasuredClient);
	console.log(
		`app: ${values['portal-nodes'] ? `the zones apart: ${values['portal-nodes']} portal node(s) behind nginx and a back office pulling through it, one process each` : `node build/index.js in ${values.processes} process(es)`}; ${values.residents} residents; ${clientCount} resident phones, a caseworker and an approver; ` +
			`${seconds} s per rate; 2 cores shared with the load generator; audit log on`
	);
	const loops = [
		...residents.map((client, index) => residentLoop(client, index)),
		caseworkerLoop(caseworker),
		approverLoop(approver)
	];
	// Warm up before measuring: pooled connections, the first PDF's font, and V8's optimised code.
	// A cold app spends half again as much CPU per request (71% of a core at 60 rps in the first
	// 8 s, 50% from the twentieth second on): a portal in service is warm.
	gate = new Gate(60);
	await new Promise((resolve) => setTimeout(resolve, Number(values.warmup) * 1000));

	console.log(
		'asked       achieved   p50     p95     p99     max      sign-ins  submitted  prepared  approved  errors'
	);
	const slowest: string[] = [];
	const waitLines: string[] = [];
	const cpuLines: string[] = [];
	const statementLines: string[] = [];
	for (const rate of [...rates, 0]) {
		gate = new Gate(rate);
		await new Promise((resolve) => setTimeout(resolve, 1_000)); // the old gate's queue drains
		const before = { ...counts };
		samples = [];
		measuring = true;
		const started = performance.now();
		const cpuBefore = cpuSeconds(appProcesses());
		const commitsBefore = await commits();
		if (values.statements) await sql`SELECT pg_stat_statements_reset()`.execute(harness.owner);
		const waits = new Map<string, number>();
		let sampled = 0;
		while (performance.now() - started < seconds * 1000) {
			if (!values.waits) {
				await new Promise((resolve) => setTimeout(resolve, 100));
				continue;
			}
			const { rows } = await sql<{ wait: string }>`
				SELECT coalesce(wait_event_type || ':' || wait_event, 'on CPU') || ' (' || left(regexp_replace(query, '[[:space:]]+', ' ', 'g'), 48) || ')' AS wait
				FROM pg_stat_activity
				WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()`.execute(
				harness.owner
			);
			sampled++;
			for (const row of rows) waits.set(row.wait, (waits.get(row.wait) ?? 0) + 1);
			await new Promise((resolve) => setTimeout(resolve, 50));
		}
		measuring = false;
		const elapsed = (performance.now() - started) / 1000;
		const cpuAfter = cpuSeconds(appProcesses());
		const perRequest = ((await commits()) - commitsBefore) / Math.max(1, samples.length);
		const share = (key: keyof typeof cpuAfter) =>
			`${(((cpuAfter[key] - cpuBefore[key]) / elapsed) * 100).toFixed(0)}%`;
		cpuLines.push(
			`${rate ? `${rate} rps` : 'flat out'}: app ${share('app')} (kernel ${share('appKernel')}), PostgreSQL ${share('postgres')}, load generator ${share('generator')}, stolen by the host ${share('stolen')} (of one core; two here); ${perRequest.toFixed(1)} database transactions per request`
		);
		const latencies = samples.map((sample) => sample.ms).sort((a, b) => a - b);
		const errors = samples.filter((sample) => sample.status === 0 || sample.status >= 500).length;
		const per = (key: keyof typeof counts) => ((counts[key] - before[key]) / elapsed).toFixed(1);
		console.log(
			`${(rate ? `${rate} rps` : 'flat out').padEnd(12)}${`${(samples.length / elapsed).toFixed(0)} rps`.padEnd(11)}` +
				`${ms(percentile(latencies, 50)).padEnd(8)}${ms(percentile(latencies, 95)).padEnd(8)}` +
				`${ms(percentile(latencies, 99)).padEnd(8)}${ms(latencies.at(-1) ?? 0).padEnd(9)}` +
				`${`${per('signIns')}/s`.padEnd(10)}${`${per('submissions')}/s`.padEnd(11)}${`${per('prepared')}/s`.padEnd(10)}${`${per('approved')}/s`.padEnd(10)}${errors}`
		);
		if (values.waits) {
			waitLines.push(
				`${rate ? `${rate} rps` : 'flat out'} (${sampled} samples; sessions per sample): ` +
					[...waits]
						.sort((a, b) => b[1] - a[1])
						.slice(0, 5)
						.map(([wait, n]) => `${wait} ${(n / sampled).toFixed(2)}`)
						.join('; ')
			);
		}
		if (values.statements) {
			statementLines.push(
				`${rate ? `${rate} rps` : 'flat out'}:`,
				...(await topStatements(samples.length)).map((line) => `  ${line}`)
			);
		}
		const byLabel = new Map<string, number[]>();
		for (const sample of samples) {
			byLabel.set(sample.label, [...(byLabel.get(sample.label) ?? []), sample.ms]);
		}
		slowest.push(
			`${rate ? `${rate} rps` : 'flat out'}: ` +
				[...byLabel]
					.map(([label, list]) => ({ label, list: list.sort((a, b) => a - b) }))
					.sort((a, b) => percentile(b.list, 99) - percentile(a.list, 99))
					.slice(0, 4)
					.map(({ label, list }) => `${label} p99 ${ms(percentile(list, 99))} (${list.length})`)
					.join('; ')
		);
	}
	running = false;
	gate = new Gate(0);
	await Promise.all(loops);
	console.log('slowest routes by p99:');
	for (const line of slowest) console.log(`  ${line}`);
	console.log('CPU while measuring:');
	for (const line of cpuLines) console.log(`  ${line}`);
	if (waitLines.length) console.log('what PostgreSQL sessions were doing:');
	for (const line of waitLines) console.log(`  ${line}`);
	if (statementLines.length)
		console.log('statements PostgreSQL spent most time on (executor time):');
	for (const line of statementLines) console.log(`  ${line}`);
	if (failureText.size) {
		console.log(`${counts.failures} journeys stopped by an unexpected answer:`);
		for (const [text, n] of [...failureText].sort((a, b) => b[1] - a[1]).slice(0, 8)) {
			console.log(`  ${n}× ${text}`);
		}
	}
	for (const line of harness.appErrors()) console.error(`app: ${line}`);

	if (values.paths) {
		const resident = harness.client(clientCount + 1);
		await resident.signIn();
		const targets = [
			{ label: 'resident dashboard /home', path: '/home', cookie: resident.cookieHeader() },
			{
				label: 'staff queue /staff/cases (audited)',
				path: '/staff/cases',
				cookie: await harness.staffCookie('caseworker')
			},
			{ label: '/healthz (database round trip)', path: '/healthz', cookie: '' }
		];
		console.log('single paths (autocannon):');
		for (const target of targets) {
			const headers = {
				accept: 'text/html',
				'x-forwarded-for': '198.19.0.2',
				...(target.cookie ? { cookie: target.cookie } : {})
			};
			await autocannon({
				url: `${harness.base}${target.path}`,
				duration: 2,
				connections: 4,
				headers
			});
			for (const rate of [...rates, undefined]) {
				const result = await autocannon({
					url: `${harness.base}${target.path}`,
					connections: rate ? Math.min(50, Math.max(4, Math.ceil(rate / 20))) : 32,
					duration: Math.min(seconds, 10),
					...(rate ? { overallRate: rate } : {}),
					headers
				});
				const bad = result.non2xx + result.errors + result.timeouts;
				console.log(
					`  ${target.label.padEnd(38)} ${rate ? `${rate} rps`.padStart(8) : 'max'.padStart(8)}: ` +
						`${result.requests.average.toFixed(0).padStart(5)} req/s  p50 ${result.latency.p50} ms  p97.5 ${result.latency.p97_5} ms  p99 ${result.latency.p99} ms` +
						(bad ? `  (${bad} non-2xx/errors)` : '')
				);
			}
		}
	}
} finally {
	running = false;
	const stopped = await harness.stopApp();
	if (!stopped) console.error('the app did not stop within 15 s of SIGTERM');
	await harness.stop();
}
