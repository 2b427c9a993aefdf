// End-to-end tests against the built app, in the system Chromium (Debian's `chromium`), one
// server per deployment role: the combined one on its own embedded PostgreSQL with the demo city,
// and the portal and the back office as two processes of one city (the back office pulls from
// the portal and shares its database server).
import { chmodSync, existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromiumPath)) {
	throw new Error(
		`No Chromium at ${chromiumPath}. Install it (Debian: apt-get install chromium), set CHROMIUM_PATH to a Chromium binary, ` +
			'or on a machine with internet run `npx playwright install chromium` and set CHROMIUM_PATH to the binary it prints.'
	);
}

const isRoot = process.getuid?.() === 0;
const servers = [
	{ role: 'all', port: 4173 },
	{ role: 'portal', port: 4174 },
	{ role: 'backoffice', port: 4175 }
] as const;

export type ServerRole = (typeof servers)[number]['role'];
export const baseUrlFor = (role: ServerRole) =>
	`http://localhost:${servers.find((server) => server.role === role)!.port}`;

// One directory per run, the same in the runner and in every worker (workers inherit the env),
// so tests can reach each server's embedded database and run the CLI against it.
if (!process.env.E2E_ROOT) {
	process.env.E2E_ROOT = mkdtempSync(path.join(os.tmpdir(), 'vaccination-e2e-'));
	// PostgreSQL runs as the 'postgres' user when the tests run as root: it must get through.
	chmodSync(process.env.E2E_ROOT, 0o755);
}
export const dataDirFor = (role: ServerRole) => path.join(process.env.E2E_ROOT!, role);

export default defineConfig({
	testDir: 'tests/e2e',
	fullyParallel: true,
	workers: 2,
	// Budgets, not measurements: CI's machine ran these journeys at up to 2.3× the time they take
	// here, with three servers, their databases and two browsers sharing two cores. A long journey
	// says test.slow() (three times this).
	timeout: 60_000,
	expect: { timeout: 10_000 },
	reporter: process.env.CI ? [['list']] : [['list'], ['html', { open: 'never' }]],
	use: {
		baseURL: baseUrlFor('all'),
		locale: 'ja-JP',
		trace: 'retain-on-failure',
		launchOptions: {
			executablePath: chromiumPath,
			args: [
				...(isRoot ? ['--no-sandbox'] : []),
				'--disable-gpu',
				'--disable-quic',
				'--no-first-run',
				'--disable-background-networking',
				'--disable-component-update',
				'--disable-sync'
			]
		}
	},
	projects: [
		{
			name: 'phone',
			use: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true }
		}
	],
	webServer: servers.map(({ role, port }) => ({
		// The server with every role scans uploads with a real clamd, as a city's portal must.
		command:
			role === 'all'
				? 'npx tsx tests/support/with-clamd.ts scripts/start.ts'
				: 'npx tsx scripts/start.ts',
		url: `http://localhost:${port}/healthz`,
		reuseExistingServer: false,
		timeout: 180_000,
		stdout: 'ignore',
		stderr: 'pipe',
		env: {
			PORT: String(port),
			APP_ROLE: role,
			DATA_DIR: dataDirFor(role),
			DATABASE_URL: '',
			// The two zones as two processes (issue 27): the back office shares the portal's
			// database server (started before it) and takes the portal's items over the exchange.
			...(role === 'backoffice'
				? { DATA_DIR: dataDirFor('portal'), EXCHANGE_PORTAL_URL: baseUrlFor('portal') }
				: {})
		}
	}))
});
