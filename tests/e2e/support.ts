// What the end-to-end tests share: the database behind a test server (to check audit entries and
// to move stored clocks), Chromium's virtual authenticator over CDP, and the staff:create CLI.
import { expect, test, type Browser, type CDPSession, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'kysely';
import { issueLetterCode } from '../../src/lib/server/auth/enrolment';
import {
	createDatabase,
	type Database,
	type PortalZoneDatabase,
	type PortalZoneDB
} from '../../src/lib/server/db';
import { dataDirFor, type ServerRole } from '../../playwright.config';

const databases = new Map<ServerRole, Database>();

/** The owner connection to a test server's embedded PostgreSQL. */
export function serverDatabase(role: ServerRole = 'all'): Database {
	let db = databases.get(role);
	if (!db) {
		const dataDir = dataDirFor(role);
		const secrets = JSON.parse(readFileSync(path.join(dataDir, 'secrets.json'), 'utf8'));
		const port = readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split(
			'\n'
		)[3];
		db = createDatabase(
			`postgres://postgres:${encodeURIComponent(secrets.superuserPassword)}@127.0.0.1:${port}/vaccination`,
			{ max: 2 }
		);
		databases.set(role, db);
	}
	return db;
}

const zones = new Map<ServerRole, PortalZoneDatabase>();

/**
 * The owner connection to a test server's portal-zone PostgreSQL (issue 27): what a compromised
 * portal could write to.
 */
export function portalZoneDatabase(role: ServerRole = 'all'): PortalZoneDatabase {
	let db = zones.get(role);
	if (!db) {
		const dataDir = path.join(dataDirFor(role), 'portal-zone');
		const secrets = JSON.parse(readFileSync(path.join(dataDir, 'secrets.json'), 'utf8'));
		const port = readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split(
			'\n'
		)[3];
		db = createDatabase<PortalZoneDB>(
			`postgres://postgres:${encodeURIComponent(secrets.superuserPassword)}@127.0.0.1:${port}/vaccination_portal_zone`,
			{ max: 2 }
		);
		zones.set(role, db);
	}
	return db;
}

/**
 * Waits until the back office has published to the portal zone every change made before this call
 * (issue 27): the marks its triggers wrote up to now are gone once the portal has applied them.
 * Other tests' later marks do not hold it up.
 */
export async function projectionPublished(): Promise<void> {
	// Staff entries in the audit log mark the access logs through a cursor the publisher moves
	// (migration 0046): first the cursor passes what the log holds now, then the marks go.
	const { rows: logs } = await sql<{ municipality_code: string; last: string }>`
		SELECT municipality_code, max(seq)::text AS last FROM audit.entry
		GROUP BY municipality_code`.execute(serverDatabase());
	for (const log of logs)
		await expect
			.poll(
				async () =>
					(
						await sql<{ passed: boolean }>`
							SELECT coalesce(bool_or(seq >= ${log.last}::bigint), false) AS passed
							FROM projection_audit_cursor WHERE municipality_code = ${log.municipality_code}`.execute(
							serverDatabase()
						)
					).rows[0]!.passed,
				{ message: 'the back office reads what the audit log holds for the portal zone' }
			)
			.toBe(true);
	const { rows } = await sql<{ last: string | null }>`
		SELECT max(id)::text AS last FROM projection_pending`.execute(serverDatabase());
	const last = rows[0]?.last;
	if (!last) return;
	await expect
		.poll(
			async () =>
				(
					await sql<{ n: number }>`
						SELECT count(*)::int AS n FROM projection_pending WHERE id <= ${last}`.execute(serverDatabase())
				).rows[0]!.n,
			{ message: 'the back office publishes what changed to the portal zone' }
		)
		.toBe(0);
}

/**
 * Runs an assertion about something that crossed the exchange; if it fails, the error says where
 * things stood — the page as shown, the person's items in the portal zone and what the back office
 * made of them — so a failure seen once in CI explains itself (the server's log is not kept).
 */
export async function explainExchange(
	page: Page,
	accountId: string,
	assertion: () => Promise<void>,
	role: ServerRole = 'all'
): Promise<void> {
	try {
		await assertion();
	} catch (failure) {
		const items = await portalZoneDatabase(role)
			.selectFrom('exchange_item')
			.select(['seq', 'kind', 'object_id', 'arrived_at', 'taken_at', 'outcome'])
			.where('resident_account_id', '=', accountId)
			.orderBy('seq')
			.execute();
		const intake = items.length
			? await serverDatabase(role)
					.selectFrom('exchange_intake')
					.select(['seq', 'outcome', 'refusal', 'taken_at'])
					.where(
						'seq',
						'in',
						items.map((item) => String(item.seq))
					)
					.execute()
			: [];
		const shown = await page
			.locator('main')
			.innerText({ timeout: 1_000 })
			.catch((error: Error) => `(unreadable: ${error.message})`);
		(failure as Error).message +=
			`\n\nWhere it stood (${page.url()}):\npage: ${shown.slice(0, 600)}\n` +
			`portal items: ${JSON.stringify(items)}\nintake: ${JSON.stringify(intake)}`;
		throw failure;
	}
}

export type AuditRow = {
	action: string;
	result: string;
	reason: string | null;
	object_id: string | null;
	actor_type: string;
};

/**
 * Audit entries written since `since` for an action, with the payload's reason code; `actorId`
 * narrows them to one person or object (tests run in parallel against one server).
 */
export async function auditEntries(
	action: string,
	since: Date,
	actorId?: string
): Promise<AuditRow[]> {
	const { rows } = await sql<AuditRow>`
		SELECT e.action, e.result, p.payload->>'reason' AS reason, e.object_id, e.actor_type
		FROM audit.entry e LEFT JOIN audit.payload p USING (municipality_code, seq)
		WHERE e.action = ${action} AND e.occurred_at >= ${since}
			AND (${actorId ?? null}::text IS NULL OR e.actor_id = ${actorId ?? null}
				OR e.object_id = ${actorId ?? null})
		ORDER BY e.seq`.execute(serverDatabase());
	return rows;
}

export async function expectDenied(
	action: string,
	reason: string,
	since: Date,
	actorId?: string
): Promise<AuditRow> {
	let found: AuditRow | undefined;
	await expect
		.poll(async () => {
			found = (await auditEntries(action, since, actorId)).find(
				(row) => row.result === 'denied' && row.reason === reason
			);
			return found !== undefined;
		})
		.toBe(true);
	return found!;
}

/**
 * Tests run in parallel workers against one server: each worker takes residents from its own
 * lane (宛名番号 modulo the worker count), so two tests never pick the same person.
 */
/**
 * Waits until SvelteKit has hydrated the page: its route announcer exists only after mount. Text
 * typed into a field while the page hydrates was once lost in CI (an empty 宛名番号 was posted).
 */
export async function hydrated(page: Page): Promise<void> {
	await page.locator('#svelte-announcer').waitFor({ state: 'attached' });
}

export function lane(): { index: number; count: number } {
	return { index: test.info().parallelIndex % 2, count: 2 };
}

/** A resident who has never enrolled, adult and living in the city. */
export async function freshResident(): Promise<{ atena: string; birthDate: string; name: string }> {
	const row = await serverDatabase()
		.selectFrom('resident')
		.select(['atena_number', 'birth_date', 'name_kanji'])
		.where('status', '=', 'resident')
		.where('birth_date', '<', '2000-01-01')
		.where(sql<boolean>`atena_number::bigint % ${lane().count} = ${lane().index}`)
		.where((eb) =>
			eb.not(
				eb.exists(
					eb
						.selectFrom('resident_account')
						.select('resident_account.id')
						.whereRef('resident_account.atena_number', '=', 'resident.atena_number')
				)
			)
		)
		.where((eb) =>
			eb.not(
				eb.exists(
					eb
						.selectFrom('enrolment')
						.select('enrolment.id')
						.whereRef('enrolment.atena_number', '=', 'resident.atena_number')
				)
			)
		)
		.orderBy(sql`random()`)
		.limit(1)
		.executeTakeFirstOrThrow();
	return { atena: row.atena_number, birthDate: row.birth_date, name: row.name_kanji };
}

export type VirtualAuthenticator = {
	cdp: CDPSession;
	id: string;
	setUserVerified: (verified: boolean) => Promise<void>;
	credentials: () => Promise<VirtualCredential[]>;
	addCredential: (credential: VirtualCredential) => Promise<void>;
	removeCredential: (credentialId: string) => Promise<void>;
	remove: () => Promise<void>;
};

export type VirtualCredential = {
	credentialId: string;
	isResidentCredential: boolean;
	rpId?: string;
	privateKey: string;
	userHandle?: string;
	signCount: number;
};

/** A platform authenticator with user verification (biometrics or PIN), as on a phone. */
export async function addAuthenticator(
	page: Page,
	options: { userVerified?: boolean; backupEligible?: boolean } = {}
): Promise<VirtualAuthenticator> {
	const cdp = await page.context().newCDPSession(page);
	await cdp.send('WebAuthn.enable', { enableUI: false });
	const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
		options: {
			protocol: 'ctap2',
			ctap2Version: 'ctap2_1',
			transport: 'internal',
			hasResidentKey: true,
			hasUserVerification: true,
			isUserVerified: options.userVerified ?? true,
			automaticPresenceSimulation: true,
			defaultBackupEligibility: options.backupEligible ?? false,
			defaultBackupState: options.backupEligible ?? false
		}
	});
	return {
		cdp,
		id: authenticatorId,
		setUserVerified: async (isUserVerified) => {
			await cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified });
		},
		credentials: async () =>
			(await cdp.send('WebAuthn.getCredentials', { authenticatorId }))
				.credentials as VirtualCredential[],
		addCredential: async (credential) => {
			await cdp.send('WebAuthn.addCredential', { authenticatorId, credential });
		},
		removeCredential: async (credentialId) => {
			await cdp.send('WebAuthn.removeCredential', { authenticatorId, credentialId });
		},
		remove: async () => {
			await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
		}
	};
}

/** A discoverable credential this site has never seen (a key registered nowhere). */
export function strangerCredential(): VirtualCredential {
	const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
	return {
		credentialId: randomBytes(16).toString('base64'),
		isResidentCredential: true,
		rpId: 'localhost',
		privateKey: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
		userHandle: randomBytes(32).toString('base64'),
		signCount: 0
	};
}

/** A new browser context that opens a staff registration link and registers a passkey. */
export async function registerStaff(browser: Browser, link: string): Promise<Page> {
	const context = await browser.newContext({ locale: 'ja-JP' });
	const page = await context.newPage();
	await addAuthenticator(page);
	await page.goto(link);
	await page.getByRole('button', { name: '次へ進む' }).click();
	await expect(page).toHaveURL(/\/staff\/register$/);
	await page.getByRole('button', { name: 'パスキーを登録する' }).click();
	await expect(page).toHaveURL(/\/staff$/);
	return page;
}

/** Runs `npm run staff:create` against the test server's database; returns the link it prints. */
export function createStaffByCli(input: { role: string; login: string; name: string }): string {
	const output = execFileSync(
		'npx',
		[
			'tsx',
			'scripts/staff-create.ts',
			'--role',
			input.role,
			'--login',
			input.login,
			'--name',
			input.name,
			'--department',
			'健康増進課'
		],
		{
			env: { ...process.env, DATA_DIR: dataDirFor('all'), PORT: '4173', DATABASE_URL: '' },
			encoding: 'utf8'
		}
	);
	const link = output.match(/http:\/\/localhost:4173\/staff\/register\/[A-Za-z0-9_-]{43}/)?.[0];
	if (!link) throw new Error(`staff:create printed no link:\n${output}`);
	return link;
}

/** npm run audit:checkpoint against the e2e server's database: what it printed. */
export function checkpointByCli(): string {
	return execFileSync('npx', ['tsx', 'scripts/audit-checkpoint.ts', '--municipality', '139998'], {
		env: { ...process.env, DATA_DIR: dataDirFor('all'), DATABASE_URL: '' },
		encoding: 'utf8'
	});
}

/** Calls navigator.credentials.get in the page with raw options and returns the JSON response. */
export async function rawAssertion(
	page: Page,
	options: { challenge: string; rpId: string; userVerification: 'required' | 'discouraged' }
): Promise<Record<string, unknown>> {
	return page.evaluate(async (options) => {
		const fromB64 = (value: string) =>
			Uint8Array.from(atob(value.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
		const toB64 = (buffer: ArrayBuffer) =>
			btoa(String.fromCharCode(...new Uint8Array(buffer)))
				.replace(/\+/g, '-')
				.replace(/\//g, '_')
				.replace(/=+$/, '');
		const credential = (await navigator.credentials.get({
			publicKey: {
				challenge: fromB64(options.challenge),
				rpId: options.rpId,
				userVerification: options.userVerification,
				allowCredentials: []
			}
		})) as PublicKeyCredential;
		const response = credential.response as AuthenticatorAssertionResponse;
		return {
			id: credential.id,
			rawId: toB64(credential.rawId),
			type: credential.type,
			response: {
				clientDataJSON: toB64(response.clientDataJSON),
				authenticatorData: toB64(response.authenticatorData),
				signature: toB64(response.signature),
				userHandle: response.userHandle ? toB64(response.userHandle) : undefined
			},
			clientExtensionResults: {}
		};
	}, options);
}

export async function accountOf(atena: string): Promise<string> {
	const row = await serverDatabase()
		.selectFrom('resident_account')
		.select('id')
		.where('atena_number', '=', atena)
		.executeTakeFirstOrThrow();
	return row.id;
}

/** As if the letter arrived: a code for the resident, entered with the birth date on a phone
 * with a passkey authenticator, ending on the dashboard. */
export async function enrolResident(page: Page, atena: string, birthDate: string): Promise<void> {
	const { code } = await issueLetterCode(serverDatabase(), {
		municipalityCode: '139998',
		atenaNumber: atena,
		issuedBy: null,
		now: new Date()
	});
	await addAuthenticator(page);
	await page.goto('/enrol');
	await page.getByLabel('登録コード').fill(code);
	await page.getByLabel('生年月日').fill(birthDate);
	await page.getByRole('button', { name: '次へ進む' }).click();
	await page.getByRole('button', { name: 'パスキーを登録する' }).click();
	await expect(page).toHaveURL(/\/home\?welcome=1$/);
}
