// npm run bench:auth [-- --signins 2000]
// A resident's sign-in throughput on the portal zone (issue 27) against a real (scratch, embedded)
// PostgreSQL: a challenge stored, an ES256 assertion verified against the passkey as the back
// office published it (challenge consumed, credential and owner checked, the portal's counter
// compare-and-swap), and a session created — with 1 and 8 concurrent sign-ins. Also each half.
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { credentialViews } from '../../src/lib/server/auth/projection';
import { createSessionManager } from '../../src/lib/server/auth/sessions';
import { portalStore } from '../../src/lib/server/auth/stores';
import { sha256 } from '../../src/lib/server/auth/tokens';
import { storeChallenge, verifyAssertion } from '../../src/lib/server/auth/webauthn';
import type { Database } from '../../src/lib/server/db';
import { applyProjection, credentialKeyOf } from '../../src/lib/server/zone/projection';
import { scratchDatabase } from './scratch-database';
import {
	softAssertion,
	softResident,
	type SoftCredential
} from '../../tests/support/soft-authenticator';

const { values } = parseArgs({ options: { signins: { type: 'string', default: '2000' } } });
const total = Number(values.signins);
const city = '139998';
const rp = { origin: 'http://localhost:3000', rpId: 'localhost', name: 'bench' };

function percentile(sorted: number[], p: number): number {
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(
	label: string,
	workers: number,
	run: (worker: number, i: number) => Promise<unknown>
) {
	const latencies: number[] = [];
	let next = 0;
	const started = performance.now();
	await Promise.all(
		Array.from({ length: workers }, async (_, worker) => {
			while (next < total) {
				const i = next++;
				const t = performance.now();
				await run(worker, i);
				latencies.push(performance.now() - t);
			}
		})
	);
	const seconds = (performance.now() - started) / 1000;
	latencies.sort((a, b) => a - b);
	console.log(
		`${label.padEnd(44)} ${workers} concurrent: ${(total / seconds).toFixed(0).padStart(6)}/s  p50 ${percentile(latencies, 50).toFixed(2)} ms  p99 ${percentile(latencies, 99).toFixed(2)} ms`
	);
}

async function residents(owner: Database, count: number) {
	await sql`INSERT INTO municipality (municipality_code, prefecture_ja, prefecture_en, name_ja, name_kana, name_en,
		mayor_title_ja, mayor_title_en, division_ja, division_en, desk_name_ja, desk_name_en, desk_postal_code,
		desk_address_ja, desk_address_en, desk_phone, desk_hours_ja, desk_hours_en)
		VALUES (${city}, '東京都', 'Tokyo', 'ベンチ市', 'べんちし', 'Bench City', '市長', 'Mayor', '課', 'Division',
		'窓口', 'Desk', '100-0001', '住所', 'Address', '03-0000-0000', '平日', 'Weekdays')`.execute(owner);
	const credentials: { accountId: string; credentialRowId: string; soft: SoftCredential }[] = [];
	for (let i = 0; i < count; i++) {
		const atena = String(1000 + i);
		await sql`INSERT INTO resident (municipality_code, atena_number, household_number, is_household_head,
			relationship, name_kanji, name_kana, birth_date, sex, postal_code, address, resident_type,
			became_resident_on, became_resident_reason, address_set_on)
			VALUES (${city}, ${atena}, ${atena}, true, '世帯主', '試験', 'シケン', '1990-01-01', 'female',
			'100-0001', '住所', 'japanese', '2000-01-01', 'moved_in', '2000-01-01')`.execute(owner);
		credentials.push(await softResident(owner, { municipalityCode: city, atenaNumber: atena }));
	}
	return credentials;
}

const scratch = await scratchDatabase();
try {
	const users = await residents(scratch.owner, 8);
	console.log(
		`Sign-in benchmark: ${total} sign-ins per run, ES256, real PostgreSQL (embedded), ${new Date().toISOString()}`
	);
	// The passkeys as the back office publishes them to the portal zone.
	const keys = users.map((user) => credentialKeyOf(user.soft.id));
	const views = await credentialViews(scratch.owner, keys);
	await applyProjection(
		await scratch.portalZone(1),
		keys.map((key) => ({ topic: 'credential', key, version: '1', body: views.get(key)! })),
		new Date()
	);
	for (const workers of [1, 8]) {
		const db = await scratch.portalZone(workers + 2);
		const sessions = createSessionManager(db, 'resident', {
			secureCookies: true,
			settings: () => ({ idleMinutes: 30, absoluteHours: 12 })
		});
		const browser = sha256(randomBytes(32));
		const binding = {
			realm: 'resident' as const,
			purpose: 'authenticate' as const,
			ceremonyHash: browser
		};
		const verify = async (worker: number) => {
			const user = users[worker]!;
			const challenge = await storeChallenge(db, binding, new Date());
			return verifyAssertion(portalStore(db), rp, {
				...binding,
				response: softAssertion(user.soft, { challenge, origin: rp.origin, rpId: rp.rpId }),
				now: new Date()
			});
		};
		const start = (worker: number) =>
			sessions.start({
				ownerId: users[worker]!.accountId,
				municipalityCode: city,
				credentialId: users[worker]!.credentialRowId,
				ip: '127.0.0.1',
				userAgent: 'bench',
				now: new Date()
			});
		await measure('assertion verification (challenge + verify)', workers, (worker) =>
			verify(worker)
		);
		await measure('session creation', workers, (worker) => start(worker));
		await measure('full sign-in (challenge + verify + session)', workers, async (worker) => {
			await verify(worker);
			await start(worker);
		});
	}
} finally {
	await scratch.stop();
}
