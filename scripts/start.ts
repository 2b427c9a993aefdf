// npm start — the one command that runs the app: resolves the database (the embedded one under
// .data/ when DATABASE_URL is unset), applies migrations, loads the demo city into an empty
// embedded database, builds the app when the build is missing or stale, and serves it.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createDatabase, type Database } from '../src/lib/server/db';
import { issueLetterCode, issueStaffLink } from '../src/lib/server/auth/enrolment';
import { launchDatabase } from '../src/lib/server/db/launch';
import { demoMunicipality, demoStaff } from '../src/lib/server/demo/city';
import { demoHousehold } from '../src/lib/server/demo/household';
import { loadDemoCity } from '../src/lib/server/demo/load';
import { rotateSigningKey } from '../src/lib/server/documents/signing-keys';
import {
	ConfigError,
	deploymentProblems,
	parseKeySpec,
	readConfig
} from '../src/lib/server/config';
import { processCount, serveInProcesses } from './lib/processes';
import { runCommand, UsageError } from './lib/run';
import { tokyoDate } from '../src/lib/server/time';

function newestChange(paths: string[]): number {
	let newest = 0;
	const visit = (entry: string) => {
		if (!existsSync(entry)) return;
		const stat = statSync(entry);
		if (stat.isDirectory()) {
			for (const child of readdirSync(entry))
				if (child !== 'paraglide') visit(path.join(entry, child));
		} else newest = Math.max(newest, stat.mtimeMs);
	};
	paths.forEach(visit);
	return newest;
}

function buildIfStale(): void {
	const handler = 'build/handler.js';
	const sources = newestChange([
		'src',
		'messages',
		'static',
		'svelte.config.js',
		'vite.config.ts',
		'package-lock.json'
	]);
	if (existsSync(handler) && statSync(handler).mtimeMs >= sources) return;
	console.log('Building the app…');
	const result = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { stdio: 'inherit' });
	if (result.status !== 0) throw new Error('the build failed');
}

/**
 * Demo only: one-time ways in, issued afresh at each start — a registration link for each demo
 * staff account that has no passkey yet (one per role, so a newcomer can try every part of the
 * back office), and a letter code for a demo parent whose household can try every request (as if
 * the letter arrived), with what each person of it can ask for.
 */
async function demoSignInHelp(owner: Database, port: number): Promise<string[]> {
	const origin = process.env.ORIGIN ?? `http://localhost:${port}`;
	const city = demoMunicipality.municipality_code;
	const now = new Date();
	const lines: string[] = [];
	const role = process.env.APP_ROLE ?? 'all';
	const withoutPasskey = await owner
		.selectFrom('staff_user')
		.select(['id', 'login_id', 'display_name'])
		.where('municipality_code', '=', city)
		.where(
			'login_id',
			'in',
			demoStaff.map((staff) => staff.login_id)
		)
		.where((eb) =>
			eb.not(
				eb.exists(
					eb
						.selectFrom('webauthn_credential')
						.select('webauthn_credential.id')
						.whereRef('webauthn_credential.staff_user_id', '=', 'staff_user.id')
						.where('webauthn_credential.revoked_at', 'is', null)
				)
			)
		)
		.execute();
	if (role !== 'portal') {
		for (const staff of demoStaff) {
			const account = withoutPasskey.find((row) => row.login_id === staff.login_id);
			if (!account) continue;
			const { token } = await issueStaffLink(owner, {
				municipalityCode: city,
				staffUserId: account.id,
				issuedBy: null,
				now
			});
			lines.push(
				`  Demo staff ${staff.role} (${account.display_name}): register a passkey at ${origin}/staff/register/${token}`
			);
		}
	}
	const parent = await demoHousehold(owner, city, tokyoDate(now));
	if (parent && role !== 'backoffice') {
		const { code } = await issueLetterCode(owner, {
			municipalityCode: city,
			atenaNumber: parent.atena_number,
			issuedBy: null,
			now
		});
		const [younger, older] = parent.children;
		lines.push(
			`  Demo resident ${parent.name_kanji}: enrol at ${origin}/enrol with code ${code} and birth date ${parent.birth_date}`,
			`    ${younger!.name_kanji}: 予診票の再発行 and 実施依頼書 (doses due now)`,
			`    ${older!.name_kanji}: 英文予防接種証明書 (doses on record, and doses from the 母子健康手帳 with a photo)`,
			`    ${parent.name_kanji} or a child: 健康被害救済 (relief claim); 開示請求 at /requests`
		);
	}
	return lines;
}

async function listen(server: http.Server, port: number, host: string): Promise<void> {
	await new Promise<void>((resolve, reject) => {
		server.once('error', (error: NodeJS.ErrnoException) =>
			reject(
				error.code === 'EADDRINUSE'
					? new UsageError(
							`port ${port} on ${host} is busy: is the app already running? (set PORT to use another)`
						)
					: error
			)
		);
		server.listen(port, host, resolve);
	});
}

await runCommand(async () => {
	const port = Number(process.env.PORT ?? 3000);
	const host = process.env.HOST ?? '127.0.0.1';
	const processes = processCount(process.env.APP_PROCESSES);
	// A back office started beside a running portal on one host (the same DATA_DIR) shares the
	// embedded server the portal started, as the two processes of one city would share its
	// database server today (docs/zones.md: the shared database goes with the projection).
	const database = await launchDatabase(process.env, {
		attach: process.env.APP_ROLE === 'backoffice'
	});
	let demoAccess: string[] = [];
	let workers: ReturnType<typeof serveInProcesses> | undefined;
	const shutdown = async (signal: string) => {
		console.log(`\n${signal}: stopping…`);
		await workers?.stop();
		await database.stop();
		process.exit(0);
	};
	process.once('SIGINT', () => void shutdown('SIGINT'));
	process.once('SIGTERM', () => void shutdown('SIGTERM'));
	try {
		if (database.embedded) {
			const owner = createDatabase(database.ownerUrl, { max: 2 });
			try {
				const loaded = await owner
					.selectFrom('municipality')
					.select('municipality_code')
					.executeTakeFirst();
				if (!loaded) {
					console.log('Loading the demo city さくら台市 (2,000 residents)…');
					await loadDemoCity(owner, {
						seed: '1',
						residents: 2000,
						asOf: tokyoDate(new Date()),
						myNumberKey: parseKeySpec(database.myNumberKey!)
					});
				}
				// The demo city signs its certificates from the first start (a real city runs
				// npm run documents:key -- --rotate once, with its own DOCUMENT_KEY).
				const signing = await owner
					.selectFrom('document_signing_key')
					.select('kid')
					.where('retired_at', 'is', null)
					.executeTakeFirst();
				if (!signing && database.documentKey) {
					await rotateSigningKey(owner, {
						municipalityCode: demoMunicipality.municipality_code,
						sealing: parseKeySpec(database.documentKey),
						now: new Date()
					});
				}
				demoAccess = await demoSignInHelp(owner, port);
			} finally {
				await owner.destroy();
			}
		}
		Object.assign(process.env, database.env);
		const config = readConfig(process.env);
		const problems = deploymentProblems(config, process.env);
		if (problems.length > 0) throw new ConfigError(problems[0]!);
		buildIfStale();
		process.env.ORIGIN ??= `http://localhost:${port}`;
		// adapter-node refuses bodies over 512 KB by default; uploads carry up to 10 MB per file
		// (checked again per file on the server), a few files at a time.
		process.env.BODY_SIZE_LIMIT ??= '32M';
		if (processes === 1) {
			const { handler } = await import(pathToFileURL(path.resolve('build/handler.js')).href);
			const server = http.createServer(handler);
			await listen(server, port, host);
		} else {
			// A busy port is said once here, not by each worker as it is replaced.
			const probe = http.createServer();
			await listen(probe, port, host);
			await new Promise((resolve) => probe.close(resolve));
			// Workers take HOST and PORT from the environment, as adapter-node's server does.
			process.env.HOST = host;
			process.env.PORT = String(port);
			await new Promise<void>((resolve) => {
				workers = serveInProcesses(processes, resolve);
			});
		}
		console.log(
			[
				'',
				`  Vaccination-affairs portal is running: ${process.env.ORIGIN}`,
				`  Role: ${process.env.APP_ROLE ?? 'all'}  Processes: ${processes}  Database: ${database.embedded ? 'embedded PostgreSQL (.data/)' : 'DATABASE_URL'}`,
				database.portalZoneOwnerUrl && database.embedded
					? `  Portal zone: its own embedded PostgreSQL (.data/portal-zone/); the back office takes residents' signed acts from ${process.env.ORIGIN}/exchange/v1 (docs/zones.md)`
					: '',
				database.embedded
					? `  Demo city: ${demoMunicipality.name_ja} (${demoMunicipality.name_en}), code ${demoMunicipality.municipality_code}`
					: '',
				database.embedded
					? `  Demo staff accounts (one per role): ${demoStaff.map((staff) => staff.login_id).join(', ')}`
					: '',
				...demoAccess,
				'  Press Ctrl+C to stop.',
				''
			]
				.filter((line) => line !== '')
				.join('\n')
		);
	} catch (error) {
		await database.stop();
		throw error;
	}
});
