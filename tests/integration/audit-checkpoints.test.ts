// Signed checkpoints against someone who controls the database: whatever they rewrite, cut or
// forge with the hash chain kept consistent, the checkpoints written before still name it.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	checkpointFile,
	checkpointFreshness,
	verifyCheckpoints,
	writeCheckpoints
} from '../../src/lib/server/audit/checkpoint';
import { ed25519Signer, parsePublicKeys, publicKeyText } from '../../src/lib/server/crypto/ed25519';
import {
	checkpointScheduleHealth,
	startCheckpointSchedule
} from '../../src/lib/server/audit/checkpoint-schedule';
import { entryHash, genesisHash } from '../../src/lib/server/audit/chain';
import { mailingQueue, registryQueue, startJobs } from '../../src/lib/server/jobs/boss';
import { recordAudit, type Actor } from '../../src/lib/server/audit/record';
import { chainedFieldsOf, chainRows, verifyAuditChain } from '../../src/lib/server/audit/verify';
import { freshDatabase, type TestDatabase } from '../support/database';
import { insertTestMunicipality } from '../support/fixtures';

const caseworker: Actor = {
	type: 'staff',
	id: 'staff-1',
	role: 'caseworker',
	department: '健康増進課'
};
const signer = ed25519Signer({ id: 'cp2026', key: randomBytes(32) });
/** What the auditor holds: the public key only. */
const auditorKeys = parsePublicKeys(publicKeyText(signer));
let database: TestDatabase;
let dir: string;

beforeAll(async () => {
	database = await freshDatabase();
	dir = mkdtempSync(path.join(tmpdir(), 'checkpoints-'));
});
afterAll(async () => {
	await database?.close();
	rmSync(dir, { recursive: true, force: true });
});

async function chain(code: string, count: number) {
	await insertTestMunicipality(database.owner, code);
	await append(code, count);
}

async function append(code: string, count: number) {
	for (let i = 0; i < count; i++) {
		await recordAudit(database.backoffice, {
			municipalityCode: code,
			actor: caseworker,
			action: 'resident.view',
			subjectAtenaNumber: String(200000 + i),
			payload: { screen: 'summary', index: i }
		});
	}
}

const checkpoint = (code: string, at = new Date()) =>
	writeCheckpoints(database.backoffice, { dir, signer, now: at, municipalityCode: code });
const check = (code: string, keys = auditorKeys) =>
	verifyCheckpoints(database.owner, { dir, keys, municipalityCode: code });

/** As the superuser with the protective triggers off: what full control of the database allows. */
async function tamper(statements: ReturnType<typeof sql>[]) {
	await database.owner.transaction().execute(async (trx) => {
		await sql`SET LOCAL session_replication_role = replica`.execute(trx);
		for (const statement of statements) await statement.execute(trx);
	});
}

/** Changes one entry and recomputes every hash after it, so the chain verifies again. */
async function rewriteFrom(code: string, seq: number, actorId: string) {
	await tamper([
		sql`UPDATE audit.entry SET actor_id = ${actorId} WHERE municipality_code = ${code} AND seq = ${seq}`
	]);
	const rows = await chainRows(database.owner, code, '0', 1_000_000);
	let prev: Buffer = genesisHash;
	const updates = [];
	for (const row of rows) {
		const hash = entryHash(prev, chainedFieldsOf(row));
		updates.push(
			sql`UPDATE audit.entry SET prev_hash = ${prev}, entry_hash = ${hash} WHERE municipality_code = ${code} AND seq = ${row.seq}`
		);
		prev = hash;
	}
	await tamper(updates);
}

describe('signed audit checkpoints', () => {
	it('checkpoints each chain head and verifies with the public key alone', async () => {
		await chain('138001', 5);
		await checkpoint('138001');
		await append('138001', 3);
		await checkpoint('138001');
		const lines = readFileSync(checkpointFile(dir, '138001'), 'utf8').trim().split('\n');
		expect(lines.map((line) => JSON.parse(line).seq)).toEqual(['5', '8']);
		// A checkpoint names a position and a hash, nothing about residents.
		expect(lines.join('')).not.toMatch(/200000|summary|staff-1/);
		const report = await check('138001');
		expect(report.firstProblem).toBeNull();
		expect(report.chains).toEqual([
			expect.objectContaining({ municipalityCode: '138001', checkpoints: 2, lastSeq: '8' })
		]);
	});

	it('names a chain rewritten after a checkpoint, though the chain itself verifies again', async () => {
		await chain('138002', 8);
		await checkpoint('138002');
		await rewriteFrom('138002', 3, 'someone-else');
		expect(
			(await verifyAuditChain(database.owner, { municipalityCode: '138002' })).firstBreak
		).toBeNull();
		expect((await check('138002')).firstProblem).toEqual({
			municipalityCode: '138002',
			line: 1,
			seq: '8',
			problem: 'chain_rewritten'
		});
		// And no new checkpoint blesses the rewritten chain.
		expect(await checkpoint('138002')).toEqual({
			written: [],
			refused: [{ municipalityCode: '138002', seq: '8', problem: 'chain_rewritten' }]
		});
		expect(readFileSync(checkpointFile(dir, '138002'), 'utf8').trim().split('\n')).toHaveLength(1);
	});

	it('names a chain whose tail was cut after a checkpoint', async () => {
		await chain('138003', 8);
		await checkpoint('138003');
		await tamper([
			sql`DELETE FROM audit.payload WHERE municipality_code = '138003' AND seq > 5`,
			sql`DELETE FROM audit.entry WHERE municipality_code = '138003' AND seq > 5`
		]);
		expect(
			(await verifyAuditChain(database.owner, { municipalityCode: '138003' })).firstBreak
		).toBeNull();
		expect((await check('138003')).firstProblem).toMatchObject({
			seq: '8',
			problem: 'chain_truncated'
		});
		// Cut and then grown back past the checkpoint: the entry at its seq is another one.
		await append('138003', 6);
		expect((await check('138003')).firstProblem).toMatchObject({
			seq: '8',
			problem: 'chain_rewritten'
		});
	});

	it('notices a city whose whole chain was deleted', async () => {
		await chain('138004', 3);
		// Its own directory: the check below reads every file, and the cities above are broken.
		const own = mkdtempSync(path.join(tmpdir(), 'checkpoints-'));
		await writeCheckpoints(database.backoffice, {
			dir: own,
			signer,
			now: new Date(),
			municipalityCode: '138004'
		});
		await tamper([
			sql`DELETE FROM audit.payload WHERE municipality_code = '138004'`,
			sql`DELETE FROM audit.entry WHERE municipality_code = '138004'`
		]);
		// Not asked about that city by name: its file is enough to find it.
		const report = await verifyCheckpoints(database.owner, { dir: own, keys: auditorKeys });
		rmSync(own, { recursive: true });
		expect(report.firstProblem).toMatchObject({
			municipalityCode: '138004',
			line: 1,
			seq: '3',
			problem: 'chain_truncated'
		});
	});

	it('refuses a forged checkpoint, a removed line and an unreadable one', async () => {
		await chain('138005', 4);
		for (let i = 0; i < 3; i++) {
			await checkpoint('138005');
			await append('138005', 1);
		}
		const file = checkpointFile(dir, '138005');
		const original = readFileSync(file, 'utf8');
		const lines = original.trim().split('\n');
		expect((await check('138005')).firstProblem).toBeNull();

		// Someone without the key signs a checkpoint of their own.
		const impostor = ed25519Signer({ id: 'cp2026', key: randomBytes(32) });
		const forgedDir = mkdtempSync(path.join(tmpdir(), 'forged-'));
		await writeCheckpoints(database.backoffice, {
			dir: forgedDir,
			signer: impostor,
			now: new Date(),
			municipalityCode: '138005'
		});
		writeFileSync(file, original + readFileSync(checkpointFile(forgedDir, '138005'), 'utf8'));
		rmSync(forgedDir, { recursive: true });
		// (its prev link is null, but the signature is checked first)
		expect((await check('138005')).firstProblem).toMatchObject({
			line: 4,
			problem: 'checkpoint_forged'
		});

		// A line taken out of the middle, so an older state looks like the latest.
		writeFileSync(file, `${lines[0]}\n${lines[2]}\n`);
		expect((await check('138005')).firstProblem).toMatchObject({
			line: 2,
			problem: 'checkpoint_missing'
		});

		writeFileSync(file, `${lines[0]}\n{"v":1,\n`);
		expect((await check('138005')).firstProblem).toMatchObject({
			line: 2,
			problem: 'checkpoint_unreadable'
		});

		// A key the auditor was not given does not verify either.
		writeFileSync(file, original);
		const otherKeys = parsePublicKeys(publicKeyText(impostor));
		expect((await check('138005', otherKeys)).firstProblem).toMatchObject({
			line: 1,
			problem: 'checkpoint_forged'
		});
	});

	it('writes no checkpoint over entries altered since the last one', async () => {
		await chain('138006', 4);
		await checkpoint('138006');
		await append('138006', 3);
		await tamper([
			sql`UPDATE audit.entry SET reason = 'x' WHERE municipality_code = '138006' AND seq = 6`
		]);
		await chain('138008', 2);
		const result = await writeCheckpoints(database.backoffice, { dir, signer, now: new Date() });
		// (the cities the tests above tampered with are refused too)
		expect(result.refused).toContainEqual({
			municipalityCode: '138006',
			seq: '6',
			problem: 'entry_altered'
		});
		// The other cities still get theirs.
		expect(result.written.map((item) => item.municipalityCode)).toContain('138008');
		expect(readFileSync(checkpointFile(dir, '138006'), 'utf8').trim().split('\n')).toHaveLength(1);
	});

	it('keeps one unforked file when two processes checkpoint at once', async () => {
		await chain('138007', 3);
		const writers = Array.from({ length: 4 }, (_, i) =>
			writeCheckpoints(database.backoffice, {
				dir,
				signer,
				now: new Date(),
				municipalityCode: '138007'
			}).then(async (result) => {
				if (i % 2 === 0) await append('138007', 1);
				return result;
			})
		);
		await Promise.all(writers);
		const report = await check('138007');
		expect(report.firstProblem).toBeNull();
		expect(report.chains[0]?.checkpoints).toBe(4);
	});
});

describe('checkpoints on schedule (issue 24, item 2)', () => {
	// A database of its own: the chains broken on purpose above would (rightly) fail the schedule.
	let shared: TestDatabase;
	beforeAll(async () => {
		shared = database;
		database = await freshDatabase();
	});
	afterAll(async () => {
		await database.close();
		database = shared;
	});
	const waitFor = async (what: () => boolean | Promise<boolean>, seconds: number) => {
		const until = Date.now() + seconds * 1000;
		while (!(await what())) {
			if (Date.now() > until) throw new Error(`not within ${seconds} s`);
			await new Promise((resolve) => setTimeout(resolve, 200));
		}
	};
	const linesOf = (code: string, folder = dir) => {
		try {
			return readFileSync(checkpointFile(folder, code), 'utf8').trim().split('\n');
		} catch {
			return [];
		}
	};

	it('are written by the back office’s job runner, on its own role, so a later cut is found', async () => {
		await chain('138101', 3);
		const runner = await startJobs(database.urlFor('backoffice'), database.backoffice, {
			checkpoints: { dir, signer, intervalSeconds: 1 }
		});
		try {
			// One at start, then one per interval as the chain grows.
			await waitFor(() => linesOf('138101').length >= 1, 10);
			await append('138101', 5);
			await waitFor(() => JSON.parse(linesOf('138101').at(-1)!).seq === '8', 10);
			expect(checkpointScheduleHealth()).toBe('ok');
			// Every queue the app sends to exists, and pg-boss schedules nothing.
			for (const queue of [mailingQueue, registryQueue])
				expect(await runner.boss.getQueue(queue)).toBeTruthy();
			const { rows } = await sql`SELECT name FROM pgboss.schedule`.execute(database.owner);
			expect(rows).toEqual([]);
		} finally {
			await runner.stop();
		}
		expect(checkpointScheduleHealth()).toBe('off');
		// The auditor's screen warns once the newest checkpoint is two intervals old.
		const fresh = { intervalSeconds: 1, now: new Date() };
		expect((await checkpointFreshness(dir, '138101', fresh)).stale).toBe(false);
		const later = { intervalSeconds: 1, now: new Date(Date.now() + 2_500) };
		expect((await checkpointFreshness(dir, '138101', later)).stale).toBe(true);
		expect((await checkpointFreshness(dir, '000000', fresh)).stale).toBe(true);
		// The last five entries deleted by someone with full control of the database.
		await tamper([
			sql`DELETE FROM audit.payload WHERE municipality_code = '138101' AND seq > 3`,
			sql`DELETE FROM audit.entry WHERE municipality_code = '138101' AND seq > 3`
		]);
		expect(
			(await verifyAuditChain(database.owner, { municipalityCode: '138101' })).firstBreak
		).toBeNull();
		expect((await check('138101')).firstProblem).toMatchObject({
			seq: '8',
			problem: 'chain_truncated'
		});
	});

	it('are loud when they cannot be written: an error line and a failing health', async () => {
		await chain('138102', 2);
		// A file where the directory should be: nothing can be written there.
		const blocked = path.join(dir, 'not-a-directory');
		writeFileSync(blocked, '');
		const errors: string[] = [];
		const original = console.error;
		console.error = (line: string) => errors.push(String(line));
		try {
			const stop = startCheckpointSchedule(database.backoffice, {
				dir: blocked,
				signer,
				intervalSeconds: 1
			});
			try {
				await waitFor(() => errors.length > 0, 10);
				expect(checkpointScheduleHealth()).toBe('failing');
			} finally {
				await stop();
			}
		} finally {
			console.error = original;
		}
		expect(JSON.parse(errors[0]!)).toMatchObject({
			level: 'error',
			event: 'audit_checkpoint_failed'
		});
	});
});
