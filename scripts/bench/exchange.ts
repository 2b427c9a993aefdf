// npm run bench:exchange [-- --rates 10,100 --seconds 10 --flat 5000 --residents 200]
// The exchange between the zones (issue 27, docs/zones.md), on two embedded PostgreSQL servers —
// the back office's and the portal zone's — with the portal's endpoints served over HTTP and the
// back office's long-poll pull, both in this process (they share its one event loop: the figures
// are conservative). Items are signed consents (an ES256 assertion each, verified again inside).
//   lag at N/s   an item written on the portal → taken in by the back office (its intake time):
//                p50, p99 and max while residents sign N items a second
//   flat out     N items waiting, then the pull started: items taken in and verified per second
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { canonicalJson } from '../../src/lib/server/audit/chain';
import { actDigest } from '../../src/lib/server/auth/signing';
import { ed25519Signer, parsePublicKeys, publicKeyText } from '../../src/lib/server/crypto/ed25519';
import {
	createDatabase,
	databaseRoleFor,
	type Database,
	type PortalZoneDatabase,
	type PortalZoneDB
} from '../../src/lib/server/db';
import { startEmbeddedPostgres } from '../../src/lib/server/db/embedded';
import { migrateToLatest, portalMigrationsFolder } from '../../src/lib/server/db/migrate';
import {
	ensureDatabase,
	loginRoles,
	provisionLoginRoles,
	withCredentials
} from '../../src/lib/server/db/provision';
import { startExchange, type ExchangePeer } from '../../src/lib/server/exchange/client';
import { actOnTheWire } from '../../src/lib/server/exchange/items';
import { serveExchange } from '../lib/exchange-server';
import { insertTestMunicipality, insertTestResident } from '../../tests/support/fixtures';
import {
	softAssertion,
	softResident,
	type SoftCredential
} from '../../tests/support/soft-authenticator';

const { values } = parseArgs({
	options: {
		rates: { type: 'string', default: '10,100' },
		seconds: { type: 'string', default: '10' },
		flat: { type: 'string', default: '5000' },
		residents: { type: 'string', default: '200' }
	}
});
const city = '139996';
const rp = { origin: 'https://portal.example.lg.jp', rpId: 'portal.example.lg.jp' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percentile = (sorted: number[], p: number) =>
	sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function server(name: string) {
	const dataDir = mkdtempSync(path.join(os.tmpdir(), `vaccination-bench-${name}-`));
	const started = await startEmbeddedPostgres({ dataDir, password: 'bench' });
	await ensureDatabase(started.superuserUrl(), name);
	return {
		ownerUrl: started.superuserUrl(name),
		stop: async () => {
			await started.stop();
			rmSync(dataDir, { recursive: true, force: true });
		}
	};
}

const backOffice = await server('bench_backoffice');
const portalZone = await server('bench_portal_zone');
await provisionLoginRoles(backOffice.ownerUrl, { backoffice: 'bench-backoffice' });
await provisionLoginRoles(portalZone.ownerUrl, { portal: 'bench-portal' });
await migrateToLatest(backOffice.ownerUrl);
await migrateToLatest(portalZone.ownerUrl, portalMigrationsFolder);
const owner: Database = createDatabase(backOffice.ownerUrl, { max: 4 });
const db: Database = createDatabase(
	withCredentials(backOffice.ownerUrl, loginRoles.backoffice.login, 'bench-backoffice'),
	{ role: databaseRoleFor('backoffice'), max: 10 }
);
const zone: PortalZoneDatabase = createDatabase<PortalZoneDB>(
	withCredentials(portalZone.ownerUrl, loginRoles.portal.login, 'bench-portal'),
	{ role: databaseRoleFor('portal'), max: 10 }
);

await insertTestMunicipality(owner, city);
const residents: { accountId: string; soft: SoftCredential }[] = [];
for (let i = 0; i < Number(values.residents); i++) {
	const atena = String(800_000 + i);
	await insertTestResident(owner, city, atena);
	residents.push(await softResident(owner, { municipalityCode: city, atenaNumber: atena }));
}

const signer = ed25519Signer({ id: 'bench', key: randomBytes(32) });
const keys = parsePublicKeys(publicKeyText(signer));
const portal = await serveExchange(zone, keys);
const peer: ExchangePeer = {
	portalUrl: portal.url,
	signer,
	rp,
	municipalityCode: city
};

let made = 0;
/** A consent as the portal keeps it after its own check: the raw assertion and what was signed. */
async function sendConsent() {
	const resident = residents[made++ % residents.length]!;
	const payload = canonicalJson({
		statement: 'electronic_notices',
		text: `bench ${made}`,
		locale: 'ja',
		shown_at: new Date().toISOString()
	});
	const nonce = randomBytes(32);
	const response = softAssertion(resident.soft, {
		challenge: actDigest(payload, nonce).toString('base64url'),
		origin: rp.origin,
		rpId: rp.rpId
	}).response;
	const act = {
		credentialId: resident.soft.id,
		payload,
		nonce,
		clientDataJSON: Buffer.from(response.clientDataJSON, 'base64url'),
		authenticatorData: Buffer.from(response.authenticatorData, 'base64url'),
		signature: Buffer.from(response.signature, 'base64url'),
		userHandle: Buffer.from(response.userHandle, 'base64url'),
		origin: rp.origin,
		rpId: rp.rpId
	};
	await zone
		.insertInto('exchange_item')
		.values({
			kind: 'consent',
			resident_account_id: resident.accountId,
			body: JSON.stringify({ act: actOnTheWire('consent', act, new Date()) })
		})
		.execute();
}

async function lags(fromSeq: string): Promise<number[]> {
	const items = await zone
		.selectFrom('exchange_item')
		.select(['seq', 'arrived_at'])
		.where('seq', '>', fromSeq)
		.execute();
	const taken = await sql<{ seq: string; taken_at: Date }>`
		SELECT seq::text, taken_at FROM exchange_intake WHERE seq > ${fromSeq}`.execute(owner);
	const at = new Map(taken.rows.map((row) => [row.seq, row.taken_at.getTime()]));
	return items
		.map((item) => (at.get(String(item.seq)) ?? NaN) - item.arrived_at.getTime())
		.sort((a, b) => a - b);
}

const lastSeq = async () =>
	String(
		(
			await sql<{ n: string }>`SELECT coalesce(max(seq), 0)::text AS n FROM exchange_item`.execute(
				zone
			)
		).rows[0]!.n
	);

const waitUntilTaken = async (limitMs: number) => {
	const until = Date.now() + limitMs;
	for (;;) {
		const { n } = (
			await sql<{
				n: number;
			}>`SELECT count(*)::int AS n FROM exchange_item WHERE taken_at IS NULL`.execute(zone)
		).rows[0]!;
		if (n === 0 || Date.now() > until) return n;
		await sleep(50);
	}
};

console.log(
	`exchange: two embedded PostgreSQL servers, ${residents.length} residents, signed consents (ES256), node ${process.version}`
);
const stop = startExchange(db, peer, { waitSeconds: 20 });
for (const rate of values.rates.split(',').map(Number)) {
	const from = await lastSeq();
	const seconds = Number(values.seconds);
	const started = performance.now();
	for (let i = 0; i < rate * seconds; i++) {
		const due = started + (i * 1000) / rate;
		const wait = due - performance.now();
		if (wait > 0) await sleep(wait);
		await sendConsent();
	}
	const left = await waitUntilTaken(30_000);
	const sorted = await lags(from);
	console.log(
		`lag at ${String(rate).padStart(4)}/s for ${seconds} s: ${sorted.length} items, p50 ${percentile(sorted, 50).toFixed(0)} ms, p99 ${percentile(sorted, 99).toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms${left ? `; ${left} not taken in 30 s` : ''}`
	);
}
await stop();

const flat = Number(values.flat);
const from = await lastSeq();
for (let i = 0; i < flat; i++) await sendConsent();
const started = performance.now();
const cpu = process.cpuUsage();
const restarted = startExchange(db, peer, { waitSeconds: 20 });
const left = await waitUntilTaken(300_000);
const seconds = (performance.now() - started) / 1000;
await restarted();
const applied = (
	await sql<{
		n: number;
	}>`SELECT count(*)::int AS n FROM exchange_intake WHERE seq > ${from} AND outcome = 'applied'`.execute(
		owner
	)
).rows[0]!.n;
const used = process.cpuUsage(cpu);
console.log(
	`flat out: ${flat} items waiting, taken in and verified in ${seconds.toFixed(1)} s = ${(flat / seconds).toFixed(0)} items/s (${applied} applied${left ? `, ${left} left` : ''}); ` +
		`this process (portal endpoints and back-office intake) busy ${(((used.user + used.system) / 1e6 / seconds) * 100).toFixed(0)}% of one core`
);

await portal.close();
await Promise.all([owner.destroy(), db.destroy(), zone.destroy()]);
await backOffice.stop();
await portalZone.stop();
process.exit(0);
