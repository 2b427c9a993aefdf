// npm run bench:weight — what a phone downloads for each portal page: JavaScript (brotli, as
// served: the build is precompressed) and all bytes, counted in the system Chromium against the
// built app on a throw-away embedded database with the demo city. Target: ≤ 60 KB JS per page.
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { freePort } from '../../src/lib/server/db/embedded';

const port = await freePort();
const origin = `http://localhost:${port}`;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'vaccination-weight-'));
chmodSync(dataDir, 0o755);
// One node process (no npx wrapper), so SIGTERM reaches start.ts, which stops PostgreSQL first.
const server = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
	env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, DATABASE_URL: '' },
	stdio: ['ignore', 'pipe', 'inherit']
});
const code = await new Promise<{ code: string; birthDate: string }>((resolve, reject) => {
	let output = '';
	server.stdout!.on('data', (chunk) => {
		output += String(chunk);
		const match = /code (\S+) and birth date (\d{4}-\d{2}-\d{2})/.exec(output);
		if (match && output.includes('Press Ctrl+C'))
			resolve({ code: match[1]!, birthDate: match[2]! });
	});
	server.once('exit', () => reject(new Error(`the app stopped:\n${output}`)));
});

const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
	args: process.getuid?.() === 0 ? ['--no-sandbox'] : []
});
try {
	type State = Awaited<ReturnType<import('@playwright/test').BrowserContext['storageState']>>;
	const phone = { viewport: { width: 390, height: 844 }, isMobile: true, locale: 'ja-JP' };

	/** One cold load (a new browser context: empty cache) and what it downloaded from the app. */
	type Weighed = { row: string; label: string; jsKb: number };
	async function weigh(label: string, url: string, storageState?: State): Promise<Weighed> {
		const context = await browser.newContext({ ...phone, storageState });
		const page = await context.newPage();
		const seen: { url: string; type: string; body: Buffer }[] = [];
		page.on('response', async (response) => {
			if (!response.url().startsWith(origin)) return;
			try {
				seen.push({
					url: response.url(),
					type: response.request().resourceType(),
					body: await response.body()
				});
			} catch {
				// redirects have no body
			}
		});
		await page.goto(url);
		await page.waitForLoadState('networkidle');
		await context.close();
		const js = seen.filter((item) => item.type === 'script' || item.url.endsWith('.js'));
		const kb = (items: typeof seen, compress: boolean) =>
			(
				items.reduce(
					(sum, item) => sum + (compress ? brotliCompressSync(item.body).length : item.body.length),
					0
				) / 1024
			).toFixed(1);
		return {
			label,
			jsKb: Number(kb(js, true)),
			row: `${label.padEnd(28)} JS ${kb(js, true).padStart(5)} KB br (${js.length} files, ${kb(js, false)} KB raw)   all ${kb(seen, true).padStart(5)} KB br (${kb(seen, false)} KB raw, ${seen.length} requests)`
		};
	}

	const rows = [
		await weigh('landing /', `${origin}/`),
		await weigh('sign-in /sign-in', `${origin}/sign-in`),
		await weigh('enrolment /enrol', `${origin}/enrol`)
	];

	// Enrol once (virtual authenticator) to weigh the signed-in pages with that session.
	const context = await browser.newContext(phone);
	const page = await context.newPage();
	const cdp = await context.newCDPSession(page);
	await cdp.send('WebAuthn.enable', { enableUI: false });
	await cdp.send('WebAuthn.addVirtualAuthenticator', {
		options: {
			protocol: 'ctap2',
			ctap2Version: 'ctap2_1',
			transport: 'internal',
			hasResidentKey: true,
			hasUserVerification: true,
			isUserVerified: true,
			automaticPresenceSimulation: true
		}
	});
	await page.goto(`${origin}/enrol`);
	await page.getByLabel('登録コード').fill(code.code);
	await page.getByLabel('生年月日').fill(code.birthDate);
	await page.getByRole('button', { name: '次へ進む' }).click();
	await page.waitForURL(/\/enrol\/passkey$/);
	rows.push(
		await weigh('enrolment /enrol/passkey', `${origin}/enrol/passkey`, await context.storageState())
	);
	await page.getByRole('button', { name: 'パスキーを登録する' }).click();
	await page.waitForURL(/\/home/);
	const person = await page.getByTestId('household').getByRole('link').first().getAttribute('href');
	// A draft of each request; the first steps of each are weighed below.
	const drafts: Record<string, string> = {};
	for (const kind of ['reissue', 'certificate', 'relief', 'outside-request']) {
		await page.goto(`${origin}/apply/${kind}`);
		await page.getByRole('button', { name: '申請を始める' }).click();
		await page.waitForURL(/\/applications\/[0-9a-f-]{36}\/[a-z_]+$/);
		drafts[kind] = page.url();
	}
	await page.goto(drafts.certificate!);
	// The English certificate answered to the end (it does not depend on doses being due), so
	// every step, the upload page and "check your answers" can be weighed.
	const certificate = drafts.certificate!.replace(/\/person$/, '');
	const next = async () => {
		const before = page.url();
		await page.getByRole('button', { name: '次へ' }).click();
		await page.waitForURL((url) => url.href !== before);
	};
	await page.getByRole('radio').first().check();
	await next();
	await page.getByLabel('氏名（ローマ字）').fill('SAKURA TARO');
	await page.getByLabel('国籍').fill('JAPAN');
	await next();
	await page.getByRole('radio').first().check();
	await next();
	await page.getByRole('checkbox').last().check(); // doses from the handbook
	await next();
	await page.getByLabel('何通必要ですか').fill('1');
	await next();
	await page.getByLabel('ファイルを選ぶ').setInputFiles({
		name: 'page.png',
		mimeType: 'image/png',
		// a 1×1 PNG
		buffer: Buffer.from(
			'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
			'base64'
		)
	});
	await page.getByRole('button', { name: 'アップロードする' }).click();
	await page.waitForLoadState('networkidle');
	await next();
	const session = await context.storageState();
	await context.close();
	rows.push(await weigh('dashboard /home', `${origin}/home`, session));
	rows.push(await weigh('person page /people/…', `${origin}${person}`, session));
	rows.push(await weigh('passkeys /account/passkeys', `${origin}/account/passkeys`, session));
	rows.push(await weigh('documents /documents', `${origin}/documents`, session));
	for (const step of ['person', 'passport', 'purpose', 'doses', 'copies', 'evidence', 'check']) {
		rows.push(await weigh(`certificate step ${step}`, `${certificate}/${step}`, session));
	}
	for (const kind of ['reissue', 'relief', 'outside-request']) {
		rows.push(await weigh(`${kind} start /apply/${kind}`, `${origin}/apply/${kind}`, session));
		rows.push(await weigh(`${kind} first step`, drafts[kind]!, session));
	}
	rows.push(await weigh('applications /applications', `${origin}/applications`, session));
	rows.push(await weigh('application status', certificate, session));
	rows.push(await weigh('requests /requests', `${origin}/requests`, session));

	// Lightest first, the heaviest last, and the verdict against the budget.
	const budgetKb = 60;
	rows.sort((a, b) => a.jsKb - b.jsKb);
	console.log(`Portal page weight, phone viewport, cold cache, ${new Date().toISOString()}`);
	for (const { row } of rows) console.log(row);
	const heaviest = rows.at(-1)!;
	console.log(
		`Heaviest: ${heaviest.label}, ${heaviest.jsKb} KB of compressed JavaScript — ${heaviest.jsKb <= budgetKb ? 'UNDER' : 'OVER'} the ${budgetKb} KB budget by ${Math.abs(budgetKb - heaviest.jsKb).toFixed(1)} KB`
	);
} finally {
	await browser.close();
	server.kill('SIGTERM');
	await new Promise((resolve) => server.once('exit', resolve));
	rmSync(dataDir, { recursive: true, force: true });
}
