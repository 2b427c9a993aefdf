// npm run bench:load [-- --seconds 10 --rates 50,100,300]
// Load on the built app (node build/index.js, as adapter-node serves it) over loopback, on a
// throw-away embedded PostgreSQL with the demo city and the audit log on: a signed-in resident's
// dashboard, a member of staff's work queue (each view audited) and /healthz, with autocannon at
// fixed request rates, then unthrottled to find where this 2-core machine saturates. Sessions are
// real (created by the app's own session manager; the cookie is all a browser would hold).
// Signed submissions and approvals (WebAuthn per request) are not part of this mix yet.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { addCredential, ensureResidentAccount } from '../../src/lib/server/auth/credentials';
import { createSessionManager } from '../../src/lib/server/auth/sessions';
import { withCredentials, loginRoles } from '../../src/lib/server/db/provision';
import { loadDemoCity } from '../../src/lib/server/demo/load';
import { scratchDatabase } from './scratch-database';

const { values } = parseArgs({
	options: {
		seconds: { type: 'string', default: '10' },
		rates: { type: 'string', default: '50,100,300' },
		residents: { type: 'string', default: '20000' }
	}
});
const seconds = Number(values.seconds);
const rates = values.rates.split(',').map(Number);
const port = 4390;
const origin = `http://127.0.0.1:${port}`;

if (!existsSync('build/index.js'))
	spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });

const database = await scratchDatabase();
const myNumberKey = { id: 'bench', key: randomBytes(32) };
await loadDemoCity(database.owner, {
	seed: '1',
	residents: Number(values.residents),
	asOf: new Date().toISOString().slice(0, 10),
	myNumberKey
});
const settings = () => ({ idleMinutes: 30, absoluteHours: 12 });
const credential = (backupEligible: boolean) => ({
	credentialId: randomBytes(16).toString('base64url'),
	publicKey: randomBytes(77),
	signCount: 0,
	transports: ['internal'],
	backupEligible,
	backupState: false,
	aaguid: '00000000-0000-0000-0000-000000000000',
	attestationFormat: 'none'
});
const now = new Date();
// A parent with children (the dashboard lists each person and what is due).
const parent = await database.owner
	.selectFrom('guardianship')
	.select(['guardian_atena_number', 'municipality_code'])
	.where('suppressed_for_dv', '=', false)
	.limit(1)
	.executeTakeFirstOrThrow();
const account = await ensureResidentAccount(database.owner, {
	municipalityCode: parent.municipality_code,
	atenaNumber: parent.guardian_atena_number,
	now
});
const residentKey = await addCredential(database.owner, {
	owner: { realm: 'resident', id: account.id },
	municipalityCode: parent.municipality_code,
	credential: credential(true),
	nickname: 'bench',
	enrolmentId: null,
	now
});
const resident = await createSessionManager(database.owner, 'resident', {
	secureCookies: false,
	settings
}).start({
	ownerId: account.id,
	credentialId: residentKey.id,
	ip: null,
	userAgent: 'bench',
	now
});
const caseworker = await database.owner
	.selectFrom('staff_user')
	.innerJoin('staff_role', 'staff_role.staff_user_id', 'staff_user.id')
	.select('staff_user.id')
	.where('staff_role.role_code', '=', 'caseworker')
	.executeTakeFirstOrThrow();
const staffKey = await addCredential(database.owner, {
	owner: { realm: 'staff', id: caseworker.id },
	municipalityCode: parent.municipality_code,
	credential: credential(false),
	nickname: 'bench',
	enrolmentId: null,
	now
});
const staff = await createSessionManager(database.owner, 'staff', {
	secureCookies: false,
	settings
}).start({
	ownerId: caseworker.id,
	credentialId: staffKey.id,
	ip: null,
	userAgent: 'bench',
	now
});

const server = spawn(process.execPath, ['build/index.js'], {
	env: {
		...process.env,
		PORT: String(port),
		HOST: '127.0.0.1',
		ORIGIN: origin,
		APP_ROLE: 'all',
		DATABASE_URL: withCredentials(
			database.ownerUrl,
			loginRoles.backoffice.login,
			'bench-backoffice'
		),
		MY_NUMBER_KEY: `bench:${myNumberKey.key.toString('base64')}`,
		DOCUMENT_KEY: `bench:${randomBytes(32).toString('base64')}`,
		VACCINATION_EMBEDDED: '1'
	},
	stdio: ['ignore', 'ignore', 'inherit']
});
try {
	for (let attempt = 0; ; attempt++) {
		try {
			if ((await fetch(`${origin}/healthz`)).ok) break;
		} catch {
			// not listening yet
		}
		if (attempt > 100) throw new Error('the app did not start');
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
	const targets = [
		{
			label: 'resident dashboard /home',
			path: '/home',
			cookie: `${resident.cookie.name}=${resident.token}`
		},
		{
			label: 'staff queue /staff/cases (audited)',
			path: '/staff/cases',
			cookie: `${staff.cookie.name}=${staff.token}`
		},
		{ label: '/healthz (database round trip)', path: '/healthz', cookie: '' }
	];
	const run = (target: (typeof targets)[number], rate?: number) =>
		autocannon({
			url: `${origin}${target.path}`,
			connections: rate ? Math.min(50, Math.max(4, Math.ceil(rate / 20))) : 32,
			duration: seconds,
			...(rate ? { overallRate: rate } : {}),
			headers: target.cookie
				? { cookie: target.cookie, accept: 'text/html' }
				: { accept: 'text/html' }
		});
	console.log(
		`app: node build/index.js, ${values.residents} residents, ${seconds} s per run, 2 cores shared with the load generator`
	);
	for (const target of targets) {
		// Warm the path (compiled templates, pooled connections) before measuring it.
		await autocannon({
			url: `${origin}${target.path}`,
			duration: 2,
			connections: 4,
			headers: { cookie: target.cookie }
		});
		for (const rate of [...rates, undefined]) {
			const result = await run(target, rate);
			const bad = result.non2xx + result.errors + result.timeouts;
			console.log(
				`${target.label.padEnd(38)} ${rate ? `${rate} rps`.padStart(8) : 'max'.padStart(8)}: ` +
					`${result.requests.average.toFixed(0).padStart(5)} req/s  p50 ${result.latency.p50} ms  p97.5 ${result.latency.p97_5} ms  p99 ${result.latency.p99} ms  max ${result.latency.max} ms` +
					(bad ? `  (${bad} non-2xx/errors)` : '')
			);
		}
	}
} finally {
	// The app must stop by itself on SIGTERM (adapter-node's graceful shutdown); say so if not.
	const exited = new Promise((resolve) => server.once('exit', resolve));
	server.kill('SIGTERM');
	const stopped = await Promise.race([
		exited.then(() => true),
		new Promise((resolve) => setTimeout(() => resolve(false), 15_000))
	]);
	if (!stopped) {
		console.error('the app did not stop within 15 s of SIGTERM');
		server.kill('SIGKILL');
		await exited;
	}
	await database.stop();
}
