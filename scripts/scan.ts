// npm run scan [-- --only sqlmap,wapiti] [--roles caseworker,admin] [--minutes 10]
// Scanners against the built app with signed-in sessions: a resident (passkey sign-in over HTTP,
// with a draft and a submitted application, so their pages exist) and members of staff. sqlmap
// (Debian package) crawls both sides and tests every form and query parameter it finds; wapiti
// (Debian package) crawls and runs its default modules (SQL, XSS, file, redirect, CRLF, SSRF,
// headers …). Prints each finding; writes the raw reports under .scan/. docs/security.md records a
// run and explains what it found. Needs `apt-get install sqlmap wapiti`.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startHarness } from './lib/app-harness';
import { crawl, leave } from './lib/crawl';

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

// wapiti 3.0.4 (Debian 12) builds its -x patterns with a trailing inline flag, which Python 3.11
// refuses; this runs it with that one function corrected.
const wapitiShim = `
import re, sys
import wapitiCore.net.crawler as crawler
def wildcard_translate(pattern):
    return re.compile('(?ms)' + ''.join('.*' if c == '*' else re.escape(c) for c in pattern) + r'\\Z')
crawler.wildcard_translate = wildcard_translate
from wapitiCore.main.wapiti import wapiti_main
sys.argv[0] = 'wapiti'
sys.exit(wapiti_main())
`;

const harness = await startHarness({ port: 4393, residents: 300, clients: 1 });
const findings: string[] = [];
try {
	await harness.startApp();
	const { resident, draft } = await harness.residentWithRequests();
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

		const pages = await crawl(harness.origin, cookie, starts);
		const targets = path.join(out, `targets-${role}.txt`);
		writeFileSync(targets, pages.map((page) => harness.origin + page).join('\n') + '\n');
		console.log(`${pages.length} pages reachable with these sessions (.scan/targets-${role}.txt)`);

		if (scanners.includes('sqlmap')) {
			// Each page's query parameters, and every form on it (fields and action parameters).
			const text = await run(
				'timeout',
				[
					String(seconds),
					'sqlmap',
					'-m',
					targets,
					'--batch',
					'--forms',
					'--smart',
					'--level=2',
					'--risk=1',
					'--threads=4',
					`--cookie=${cookie}`,
					`--headers=${origin}`,
					'--skip-static',
					`--output-dir=${path.join(out, 'sqlmap')}`,
					'--disable-coloring'
				],
				path.join(out, `sqlmap-${role}.log`)
			);
			const forms = text.match(/do you want to test this form/g)?.length ?? 0;
			const urls = new Set(text.match(/^(GET|POST) http\S+/gm) ?? []);
			const injectable = text.includes('identified the following injection point')
				? [...text.matchAll(/Parameter: (.+?) \((GET|POST|Cookie)\)/g)].map((m) => m[0])
				: [];
			console.log(
				`sqlmap: ${pages.length} pages, ${forms} forms, ${urls.size} requests with parameters tested; ${injectable.length} injectable`
			);
			findings.push(...injectable.map((line) => `sqlmap ${role}: ${line}`));
		}

		if (scanners.includes('wapiti')) {
			const report = path.join(out, `wapiti-${role}.json`);
			await run(
				'timeout',
				[
					String(seconds + 60),
					// The interpreter wapiti's own launcher names (a pyenv python3 has no wapitiCore).
					readFileSync(spawnSync('which', ['wapiti']).stdout.toString().trim(), 'utf8')
						.split('\n')[0]!
						.replace(/^#!/, ''),
					'-c',
					wapitiShim,
					'-u',
					`${harness.origin}/`,
					...pages.flatMap((page) => ['-s', `${harness.origin}${page}`]),
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
					// Each attack module's share, so the report is written before the time is up.
					'--max-attack-time',
					String(Math.ceil(seconds / 12)),
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
			const log = readFileSync(path.join(out, `wapiti-${role}.log`), 'utf8');
			for (const [, where] of log.matchAll(/Received a HTTP 500 error in (\S+)/g))
				findings.push(`wapiti ${role}: HTTP 500 in ${where}`);
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
