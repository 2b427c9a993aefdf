// npm run scan [-- --only sqlmap,wapiti] [--roles caseworker,admin] [--minutes 10]
// Scanners against the built app with signed-in sessions: a resident (passkey sign-in over HTTP,
// with a draft and a submitted application, so their pages exist) and members of staff. sqlmap
// (Debian package) crawls both sides and tests every form and query parameter it finds; wapiti
// (Debian package) crawls and runs its default modules (SQL, XSS, file, redirect, CRLF, SSRF,
// headers …). Prints each finding; writes the raw reports under .scan/. docs/security.md records a
// run and explains what it found. Needs `apt-get install sqlmap wapiti`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startHarness } from './lib/app-harness';

const { values } = parseArgs({
	options: {
		only: { type: 'string', default: 'sqlmap,wapiti' },
		roles: { type: 'string', default: 'caseworker,admin' },
		minutes: { type: 'string', default: '10' }
	}
});
const scanners = values.only.split(',');
for (const tool of scanners) {
	if (spawnSync('which', [tool]).status !== 0)
		throw new Error(`${tool} is not installed: apt-get install ${tool}`);
}
const out = path.resolve('.scan');
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// Links that end the session or undo the scan's own set-up are not followed.
const leave = ['sign-out', 'withdraw', 'passkeys', 'language'];

function run(command: string, args: string[], log: string): Promise<string> {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
		let text = '';
		child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
		child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
		child.on('error', reject);
		child.on('exit', () => {
			mkdirSync(path.dirname(log), { recursive: true });
			spawnSync('tee', [log], { input: text, stdio: ['pipe', 'ignore', 'inherit'] });
			resolve(text);
		});
	});
}

const harness = await startHarness({ port: 4393, residents: 300, clients: 1 });
const findings: string[] = [];
try {
	await harness.startApp();
	const resident = harness.client(0);
	await resident.signIn();
	const draft = await resident.draftReissue();
	const sent = await resident.draftReissue();
	await resident.submit(sent.applicationId);
	const seconds = Number(values.minutes) * 60;

	for (const role of values.roles.split(',')) {
		const cookie = `${resident.cookieHeader()}; ${await harness.staffCookie(role)}`;
		const origin = `Origin: ${harness.origin}`;
		const starts = [
			'/home',
			`/applications/${draft.applicationId}/person`,
			'/staff',
			'/staff/cases'
		];
		console.log(`== ${role}: resident and staff sessions, ${harness.origin}`);

		if (scanners.includes('sqlmap')) {
			for (const start of starts) {
				const text = await run(
					'timeout',
					[
						String(seconds),
						'sqlmap',
						'-u',
						`${harness.origin}${start}`,
						'--batch',
						'--crawl=2',
						`--crawl-exclude=${leave.join('|')}`,
						'--forms',
						'--level=2',
						'--risk=1',
						'--threads=4',
						`--cookie=${cookie}`,
						`--headers=${origin}`,
						'--skip-static',
						`--output-dir=${path.join(out, 'sqlmap')}`,
						'--disable-coloring'
					],
					path.join(out, `sqlmap-${role}-${start.split('/').filter(Boolean).join('-')}.log`)
				);
				const forms = text.match(/do you want to test this form/g)?.length ?? 0;
				const urls = text.match(/^(GET|POST) http\S+/gm) ?? [];
				const injectable = text.includes('identified the following injection point')
					? [...text.matchAll(/Parameter: (.+?) \((GET|POST|Cookie)\)/g)].map((m) => m[0])
					: [];
				console.log(
					`sqlmap from ${start}: ${forms} forms and ${new Set(urls).size} targets tested, ${injectable.length} injectable`
				);
				findings.push(...injectable.map((line) => `sqlmap ${role} ${start}: ${line}`));
			}
		}

		if (scanners.includes('wapiti')) {
			const report = path.join(out, `wapiti-${role}.json`);
			await run(
				'timeout',
				[
					String(seconds + 60),
					'wapiti',
					'-u',
					`${harness.origin}/`,
					...starts.flatMap((start) => ['-s', `${harness.origin}${start}`]),
					...leave.flatMap((word) => ['-x', `${harness.origin}/*${word}*`]),
					'--scope',
					'domain',
					'-H',
					`Cookie: ${cookie}`,
					'-H',
					origin,
					'--flush-session',
					'--max-scan-time',
					String(seconds),
					'-d',
					'4',
					'-f',
					'json',
					'-o',
					report,
					'-v',
					'1'
				],
				path.join(out, `wapiti-${role}.log`)
			);
			if (!existsSync(report)) {
				findings.push(`wapiti ${role}: no report written (see .scan/wapiti-${role}.log)`);
				continue;
			}
			const parsed = JSON.parse(readFileSync(report, 'utf8')) as {
				vulnerabilities: Record<
					string,
					{ path: string; method: string; info: string; parameter: string }[]
				>;
				anomalies: Record<string, { path: string; method: string; info: string }[]>;
				infos?: { crawled_pages?: unknown[] };
			};
			const crawled =
				(parsed as { infos?: { crawled_pages_nbr?: number } }).infos?.crawled_pages_nbr ?? '?';
			let count = 0;
			for (const [kind, items] of [
				...Object.entries(parsed.vulnerabilities ?? {}),
				...Object.entries(parsed.anomalies ?? {})
			]) {
				for (const item of items) {
					count++;
					findings.push(`wapiti ${role} ${kind}: ${item.method} ${item.path} — ${item.info}`);
				}
			}
			console.log(`wapiti: ${crawled} pages crawled, ${count} findings`);
		}
	}
	const logs = readdirSync(out).filter((name) => name.endsWith('.log'));
	console.log(`reports: ${logs.length} logs in .scan/`);
	for (const finding of findings) console.log(`FINDING ${finding}`);
	console.log(`${findings.length} findings`);
	// The app must still be healthy after being scanned.
	if (!(await harness.healthy(5_000)))
		console.log('FINDING the app was not healthy after the scan');
	const serverErrors = harness.appLog().match(/"status":5\d\d/g)?.length ?? 0;
	console.log(`server errors logged by the app during the scans: ${serverErrors}`);
} finally {
	await harness.stop();
}
