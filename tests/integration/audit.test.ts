import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	recordAudit,
	recordAudits,
	AuditRefusedError,
	type Actor
} from '../../src/lib/server/audit/record';
import { verifyAuditChain } from '../../src/lib/server/audit/verify';
import { freshDatabase, type TestDatabase } from '../support/database';
import { insertTestMunicipality } from '../support/fixtures';

const city = '139998';
const caseworker: Actor = {
	type: 'staff',
	id: 'staff-1',
	role: 'caseworker',
	department: '健康増進課'
};
let database: TestDatabase;

beforeAll(async () => {
	database = await freshDatabase();
	await insertTestMunicipality(database.owner, city);
});
afterAll(async () => database?.close());

async function write(count: number, start = 0) {
	for (let i = 0; i < count; i++) {
		await recordAudit(database.backoffice, {
			municipalityCode: city,
			actor: caseworker,
			action: 'resident.view',
			subjectAtenaNumber: String(100000 + start + i),
			payload: i % 2 === 0 ? { screen: 'summary', index: start + i } : undefined
		});
	}
}

/** The seqs of each actor whose id starts with the prefix, in chain order. */
async function seqsByActor(prefix: string): Promise<number[][]> {
	const { rows } = await sql<{ seqs: string[] }>`
		SELECT array_agg(seq ORDER BY seq) AS seqs FROM audit.entry
		WHERE municipality_code = ${city} AND actor_id LIKE ${`${prefix}%`} GROUP BY actor_id`.execute(
		database.owner
	);
	return rows.map((row) => row.seqs.map(Number));
}

/** Runs a change as the superuser with the protective triggers bypassed, as an attacker with full access would. */
async function tamper(statements: ReturnType<typeof sql>[]) {
	await database.owner.transaction().execute(async (trx) => {
		await sql`SET LOCAL session_replication_role = replica`.execute(trx);
		for (const statement of statements) await statement.execute(trx);
	});
}

async function entryId(code: string, seq: number): Promise<string> {
	const row = await database.owner
		.selectFrom('audit.entry')
		.select('id')
		.where('municipality_code', '=', code)
		.where('seq', '=', String(seq))
		.executeTakeFirstOrThrow();
	return row.id;
}

describe('audit log protection', () => {
	it('lets the back office read, the portal append only, and neither update, delete or truncate', async () => {
		await write(3);
		await expect(
			database.backoffice.selectFrom('audit.entry').select('seq').execute()
		).resolves.not.toHaveLength(0);
		await expect(database.portal.selectFrom('audit.entry').select('seq').execute()).rejects.toThrow(
			/permission denied/
		);
		for (const app of [database.backoffice, database.portal]) {
			await expect(sql`UPDATE audit.entry SET reason = 'x'`.execute(app)).rejects.toThrow(
				/permission denied/
			);
			await expect(sql`DELETE FROM audit.entry`.execute(app)).rejects.toThrow(/permission denied/);
			await expect(sql`TRUNCATE audit.entry CASCADE`.execute(app)).rejects.toThrow(
				/permission denied/
			);
			await expect(sql`UPDATE audit.payload SET payload = '{}'`.execute(app)).rejects.toThrow(
				/permission denied/
			);
		}
	});

	it('refuses update, delete and truncate even for the owner through triggers', async () => {
		await expect(
			sql`UPDATE audit.entry SET reason = 'x' WHERE seq = 1`.execute(database.owner)
		).rejects.toThrow(/append-only/);
		await expect(
			sql`DELETE FROM audit.entry WHERE seq = 1`.execute(database.owner)
		).rejects.toThrow(/append-only/);
		await expect(sql`TRUNCATE audit.entry CASCADE`.execute(database.owner)).rejects.toThrow(
			/append-only/
		);
		await expect(sql`TRUNCATE audit.payload`.execute(database.owner)).rejects.toThrow(
			/append-only/
		);
		const report = await verifyAuditChain(database.owner);
		expect(report.firstBreak).toBeNull();
	});

	it('rolls an entry back with the transaction that made it', async () => {
		const before = await database.owner
			.selectFrom('audit.entry')
			.select(sql<string>`count(*)`.as('n'))
			.executeTakeFirstOrThrow();
		await expect(
			database.backoffice.transaction().execute(async (trx) => {
				await recordAudit(trx, {
					municipalityCode: city,
					actor: caseworker,
					action: 'resident.view',
					subjectAtenaNumber: '1'
				});
				throw new Error('the change failed');
			})
		).rejects.toThrow('the change failed');
		const after = await database.owner
			.selectFrom('audit.entry')
			.select(sql<string>`count(*)`.as('n'))
			.executeTakeFirstOrThrow();
		expect(after.n).toBe(before.n);
	});

	it('chains a transaction’s entry when it commits, so the chain lock is not held before', async () => {
		const seen = await database.backoffice.transaction().execute(async (trx) => {
			await recordAudit(trx, {
				municipalityCode: city,
				actor: caseworker,
				action: 'resident.view',
				subjectAtenaNumber: '500001'
			});
			// Until commit the entry waits unchained, and another writer is not held up by it.
			await recordAudit(database.backoffice, {
				municipalityCode: city,
				actor: caseworker,
				action: 'resident.search',
				objectId: 'while-pending'
			});
			const inside = await sql<{ n: string }>`
				SELECT count(*) AS n FROM audit.entry WHERE subject_atena_number = '500001'`.execute(trx);
			return inside.rows[0]!.n;
		});
		expect(seen).toBe('0');
		const { rows } = await sql<{ object_id: string | null; subject_atena_number: string | null }>`
			SELECT object_id, subject_atena_number FROM audit.entry
			WHERE municipality_code = ${city} ORDER BY seq DESC LIMIT 2`.execute(database.owner);
		expect(rows).toEqual([
			{ object_id: null, subject_atena_number: '500001' },
			{ object_id: 'while-pending', subject_atena_number: null }
		]);
		const pending = await sql<{ n: string }>`SELECT count(*) AS n FROM audit.pending`.execute(
			database.owner
		);
		expect(pending.rows[0]!.n).toBe('0');
		// A refused entry in a transaction fails its commit: the change it records goes too.
		await expect(
			database.backoffice.transaction().execute(async (trx) => {
				await sql`INSERT INTO audit.review (municipality_code, period_from, period_until, reviewed_by, reviewed_at, entries, denied, chain_intact, findings)
					VALUES (${city}, '2026-01-01', '2026-01-31', 'staff-1', now(), 0, 0, true, 'refused at commit')`.execute(
					trx
				);
				await recordAudit(trx, {
					municipalityCode: city,
					actor: { type: 'robot', id: 'x', role: 'robot' } as unknown as Actor,
					action: 'audit.review'
				});
			})
		).rejects.toThrow(/actor_type/);
		const reviews = await sql<{ n: string }>`
			SELECT count(*) AS n FROM audit.review WHERE findings = 'refused at commit'`.execute(
			database.owner
		);
		expect(reviews.rows[0]!.n).toBe('0');
		expect(
			(await verifyAuditChain(database.owner, { municipalityCode: city })).firstBreak
		).toBeNull();
	});

	it('refuses entries without a required reason or carrying a 個人番号', async () => {
		await expect(
			recordAudit(database.backoffice, {
				municipalityCode: city,
				actor: caseworker,
				action: 'mynumber.view',
				subjectAtenaNumber: '1'
			})
		).rejects.toThrow(AuditRefusedError);
		await expect(
			recordAudit(database.backoffice, {
				municipalityCode: city,
				actor: caseworker,
				action: 'resident.search',
				payload: { query: '123456789018' }
			})
		).rejects.toThrow(/個人番号/);
		// A UUID whose last group happens to be a valid 個人番号 is an identifier, not a number.
		await expect(
			recordAudit(database.backoffice, {
				municipalityCode: city,
				actor: caseworker,
				action: 'resident.view',
				objectId: '0b7f3c1e-5a2d-4c8e-9f10-123456789018',
				payload: { enrolment: '0b7f3c1e-5a2d-4c8e-9f10-123456789018' }
			})
		).resolves.toBeUndefined();
		const uuidEntry = await sql<{ n: string }>`
			SELECT count(*) AS n FROM audit.entry
			WHERE object_id = '0b7f3c1e-5a2d-4c8e-9f10-123456789018'`.execute(database.owner);
		expect(uuidEntry.rows[0]!.n).toBe('1');
		await expect(
			recordAudit(database.backoffice, {
				municipalityCode: city,
				actor: caseworker,
				action: 'resident.view',
				objectId: 'x-123456789018'
			})
		).rejects.toThrow(/個人番号/);
		await expect(
			recordAudit(database.backoffice, {
				municipalityCode: city,
				actor: caseworker,
				action: 'resident.search',
				payload: { passkey: 'x' }
			})
		).rejects.toThrow(/not allowed/);
		await expect(
			recordAudit(database.backoffice, {
				municipalityCode: city,
				actor: caseworker,
				action: 'no.such_action' as never
			})
		).rejects.toThrow(/unknown audit action/);
	});
});

describe('audit chain under concurrency', () => {
	it('forms one valid chain from 1,000 concurrent writes', async () => {
		const before = await verifyAuditChain(database.owner, { municipalityCode: city });
		const start = Number(before.chains[0]?.entries ?? 0);
		await Promise.all(
			Array.from({ length: 1000 }, (_, i) =>
				recordAudit(database.backoffice, {
					municipalityCode: city,
					actor: { type: 'resident', id: String(200000 + i), role: 'resident' },
					action: 'vaccination.view',
					subjectAtenaNumber: String(200000 + i)
				})
			)
		);
		const report = await verifyAuditChain(database.owner, {
			municipalityCode: city,
			batchSize: 137
		});
		expect(report.firstBreak).toBeNull();
		expect(report.chains[0]?.entries).toBe(start + 1000);
		const distinct = await sql<{
			n: string;
		}>`SELECT count(DISTINCT prev_hash) AS n FROM audit.entry WHERE municipality_code = ${city}`.execute(
			database.owner
		);
		expect(Number(distinct.rows[0]!.n)).toBe(start + 1000);
	});

	it('appends a household’s entries in one statement, in order, amid other writers', async () => {
		const household = ['300001', '300002', '300003'];
		await Promise.all([
			Promise.all(
				Array.from({ length: 20 }, (_, round) =>
					recordAudits(
						database.backoffice,
						household.map((atena) => ({
							municipalityCode: city,
							actor: { type: 'resident', id: `household-${round}`, role: 'guardian' },
							action: 'vaccination.view',
							subjectAtenaNumber: atena,
							payload: { page: 'dashboard', round }
						}))
					)
				)
			),
			Promise.all(
				Array.from({ length: 50 }, (_, i) =>
					recordAudit(database.backoffice, {
						municipalityCode: city,
						actor: caseworker,
						action: 'resident.search',
						payload: { rows: i }
					})
				)
			)
		]);
		expect(await seqsByActor('household-')).toHaveLength(20);
		for (const seqs of await seqsByActor('household-')) {
			expect(seqs).toEqual([seqs[0]!, seqs[0]! + 1, seqs[0]! + 2]);
		}
		const stored = await sql<{ subject_atena_number: string; payload: { round: number } }>`
			SELECT e.subject_atena_number, p.payload FROM audit.entry e
			JOIN audit.payload p USING (municipality_code, seq)
			WHERE e.municipality_code = ${city} AND e.actor_id = 'household-7' ORDER BY e.seq`.execute(
			database.owner
		);
		expect(stored.rows).toEqual(
			household.map((atena) => ({
				subject_atena_number: atena,
				payload: { page: 'dashboard', round: 7 }
			}))
		);
		expect(
			(await verifyAuditChain(database.owner, { municipalityCode: city })).firstBreak
		).toBeNull();
		await expect(
			recordAudits(database.backoffice, [
				{ municipalityCode: city, actor: caseworker, action: 'resident.search' },
				{ municipalityCode: '139997', actor: caseworker, action: 'resident.search' }
			])
		).rejects.toThrow(AuditRefusedError);
	});

	it('groups the entries of concurrent reads into shared appends', async () => {
		const callers = Array.from({ length: 40 }, (_, i) => `grouped-${i}`);
		await Promise.all(
			callers.map((id, i) =>
				recordAudits(
					database.backoffice,
					[400000, 450000].map((base) => ({
						municipalityCode: city,
						actor: { type: 'resident', id, role: 'guardian' } as Actor,
						action: 'vaccination.view' as const,
						subjectAtenaNumber: String(base + i)
					}))
				)
			)
		);
		// Each caller's entries stay together and in order within the group.
		const seqs = await seqsByActor('grouped-');
		expect(seqs).toHaveLength(40);
		for (const [first, second] of seqs) expect(second).toBe(first! + 1);
		const stored = await sql<{ callers: string; transactions: string; entries: string }>`
			SELECT count(DISTINCT actor_id) AS callers, count(DISTINCT xmin::text) AS transactions,
				count(*) AS entries
			FROM audit.entry WHERE municipality_code = ${city} AND actor_id LIKE 'grouped-%'`.execute(
			database.owner
		);
		expect(stored.rows[0]).toMatchObject({ callers: '40', entries: '80' });
		// The first goes at once; the others arrive while it is in flight and commit together.
		expect(Number(stored.rows[0]!.transactions)).toBeLessThanOrEqual(3);
		expect(
			(await verifyAuditChain(database.owner, { municipalityCode: city })).firstBreak
		).toBeNull();
	});

	it('fails only the caller whose entry the database refuses, not the others in its group', async () => {
		const results = await Promise.allSettled(
			Array.from({ length: 10 }, (_, i) =>
				recordAudit(database.backoffice, {
					municipalityCode: city,
					actor: (i === 6
						? { type: 'robot', id: 'refused', role: 'robot' }
						: { type: 'resident', id: `grouped-ok-${i}`, role: 'resident' }) as Actor,
					action: 'vaccination.view',
					subjectAtenaNumber: String(460000 + i)
				})
			)
		);
		expect(results.map((result) => result.status)).toEqual(
			Array.from({ length: 10 }, (_, i) => (i === 6 ? 'rejected' : 'fulfilled'))
		);
		const { rows } = await sql<{ n: string }>`
			SELECT count(*) AS n FROM audit.entry
			WHERE municipality_code = ${city} AND actor_id LIKE 'grouped-ok-%'`.execute(database.owner);
		expect(rows[0]!.n).toBe('9');
		expect(
			(await verifyAuditChain(database.owner, { municipalityCode: city })).firstBreak
		).toBeNull();
	});

	it('keeps the chain verifiable when a browser sends a broken character', async () => {
		// A lone UTF-16 surrogate: stored as U+FFFD, and hashed as what is stored.
		await recordAudit(database.backoffice, {
			municipalityCode: city,
			actor: caseworker,
			context: { requestId: 'r', ip: null, userAgent: 'Phone \ud800 Browser', sessionHash: null },
			action: 'resident.search',
			payload: { name: 'や\udc00まだ' }
		});
		const { rows } = await sql<{ user_agent: string; payload: { name: string } }>`
			SELECT e.user_agent, p.payload FROM audit.entry e JOIN audit.payload p USING (municipality_code, seq)
			WHERE e.municipality_code = ${city} ORDER BY e.seq DESC LIMIT 1`.execute(database.owner);
		expect(rows[0]).toEqual({
			user_agent: 'Phone \ufffd Browser',
			payload: { name: 'や\ufffdまだ' }
		});
		expect(
			(await verifyAuditChain(database.owner, { municipalityCode: city })).firstBreak
		).toBeNull();
	});

	it('rejects a fork: two appenders that skip the lock cannot both chain off one head', async () => {
		// Both read the same head without the lock, then both insert: the UNIQUE(prev_hash) tripwire
		// must refuse the second. This is what the advisory lock prevents in normal operation.
		const head = await database.owner
			.selectFrom('audit.entry')
			.select(['seq', 'entry_hash'])
			.where('municipality_code', '=', city)
			.orderBy('seq', 'desc')
			.limit(1)
			.executeTakeFirstOrThrow();
		const forged = (seq: bigint) =>
			sql`INSERT INTO audit.entry (municipality_code, seq, occurred_at, actor_type, actor_id, actor_role, action, result, prev_hash, entry_hash)
				VALUES (${city}, ${String(seq)}, now(), 'system', 'fork', 'system', 'resident.view', 'ok', ${head.entry_hash}, ${Buffer.alloc(32, Number(seq % 200n))})`;
		// No app role may insert an entry at all (only audit.append, as its owner, does) …
		await expect(forged(BigInt(head.seq) + 1n).execute(database.backoffice)).rejects.toThrow(
			/permission denied/
		);
		// … so the tripwire is for whoever holds the owner's login.
		await forged(BigInt(head.seq) + 1n).execute(database.owner);
		await expect(forged(BigInt(head.seq) + 2n).execute(database.owner)).rejects.toThrow(
			/duplicate key/
		);
		// The forged entry itself is caught by the verifier.
		const report = await verifyAuditChain(database.owner, { municipalityCode: city });
		expect(report.firstBreak).toMatchObject({
			seq: String(BigInt(head.seq) + 1n),
			problem: 'entry_altered'
		});
	});
});

describe('audit verification finds tampering', () => {
	const other = '139999';
	async function freshChain(code: string, count: number) {
		await insertTestMunicipality(database.owner, code);
		for (let i = 0; i < count; i++) {
			await recordAudit(database.backoffice, {
				municipalityCode: code,
				actor: caseworker,
				action: 'resident.search',
				payload: { kana: `テスト${i}` }
			});
		}
	}

	const cases: {
		name: string;
		code: string;
		change: (code: string) => ReturnType<typeof sql>[];
		seq: number;
		problem: string;
	}[] = [
		{
			name: 'an altered field',
			code: '139001',
			change: (code) => [
				sql`UPDATE audit.entry SET actor_id = 'someone-else' WHERE municipality_code = ${code} AND seq = 5`
			],
			seq: 5,
			problem: 'entry_altered'
		},
		{
			name: 'an altered time',
			code: '139002',
			change: (code) => [
				sql`UPDATE audit.entry SET occurred_at = occurred_at + interval '1 microsecond' WHERE municipality_code = ${code} AND seq = 4`
			],
			seq: 4,
			problem: 'entry_altered'
		},
		{
			name: 'a deleted middle row',
			code: '139003',
			change: (code) => [
				sql`DELETE FROM audit.payload WHERE municipality_code = ${code} AND seq = 6`,
				sql`DELETE FROM audit.entry WHERE municipality_code = ${code} AND seq = 6`
			],
			seq: 7,
			problem: 'sequence_gap'
		},
		{
			name: 'a renumbered row after a deletion',
			code: '139004',
			change: (code) => [
				sql`DELETE FROM audit.payload WHERE municipality_code = ${code} AND seq >= 6`,
				sql`DELETE FROM audit.entry WHERE municipality_code = ${code} AND seq = 6`,
				sql`UPDATE audit.entry SET seq = seq - 1 WHERE municipality_code = ${code} AND seq > 6`
			],
			seq: 6,
			problem: 'link_broken'
		},
		{
			name: 'two swapped rows',
			code: '139005',
			change: (code) => [
				// Each payload moves with its entry, so only the order is wrong.
				sql`UPDATE audit.payload SET seq = seq + 1000 WHERE municipality_code = ${code} AND seq IN (3, 4)`,
				sql`UPDATE audit.payload SET seq = 1007 - seq WHERE municipality_code = ${code} AND seq IN (1003, 1004)`,
				sql`UPDATE audit.entry SET seq = seq + 1000 WHERE municipality_code = ${code} AND seq IN (3, 4)`,
				sql`UPDATE audit.entry SET seq = 1007 - seq WHERE municipality_code = ${code} AND seq IN (1003, 1004)`
			],
			seq: 3,
			problem: 'link_broken'
		},
		{
			name: 'an altered payload',
			code: '139006',
			change: (code) => [
				sql`UPDATE audit.payload SET payload = '{"kana":"ニセ"}' WHERE municipality_code = ${code} AND seq = 2`
			],
			seq: 2,
			problem: 'payload_altered'
		}
	];

	for (const testCase of cases) {
		it(`names the entry for ${testCase.name}`, async () => {
			await freshChain(testCase.code, 8);
			expect(
				(await verifyAuditChain(database.owner, { municipalityCode: testCase.code })).firstBreak
			).toBeNull();
			await tamper(testCase.change(testCase.code));
			const report = await verifyAuditChain(database.owner, {
				municipalityCode: testCase.code,
				batchSize: 3
			});
			expect(report.firstBreak).toMatchObject({
				municipalityCode: testCase.code,
				seq: String(testCase.seq),
				problem: testCase.problem
			});
			expect(report.firstBreak?.id).toBe(await entryId(testCase.code, testCase.seq));
		});
	}

	it('names a payload row that no entry covers, which the owner could insert', async () => {
		await freshChain('139007', 4);
		const orphan = sql`INSERT INTO audit.payload (municipality_code, seq, payload) VALUES ('139007', 9, '{"kana":"ニセ"}')`;
		await expect(orphan.execute(database.backoffice)).rejects.toThrow(/permission denied/);
		await orphan.execute(database.owner);
		const report = await verifyAuditChain(database.owner, { municipalityCode: '139007' });
		expect(report.firstBreak).toEqual({
			municipalityCode: '139007',
			seq: '9',
			id: null,
			problem: 'payload_orphaned'
		});
	});

	it('still verifies after payloads are erased at their retention deadline', async () => {
		await freshChain(other, 6);
		// Retention of 0 years: every payload is past it. Only the function erases, and it records it.
		await sql`UPDATE municipality SET retention_years = '{"audit_payload": 0}' WHERE municipality_code = ${other}`.execute(
			database.owner
		);
		const { rows } = await sql<{
			erased: number;
		}>`SELECT audit.erase_payloads(${other}, ARRAY[1,2,3,4,5,6]::bigint[]) AS erased`.execute(
			database.backoffice
		);
		expect(rows[0]!.erased).toBe(6);
		const report = await verifyAuditChain(database.owner, { municipalityCode: other });
		expect(report.firstBreak).toBeNull();
		expect(report.chains[0]?.entries).toBe(6);
	});

	it('names a payload deleted other than by retention (issue 24, low)', async () => {
		await freshChain('139008', 4);
		await tamper([sql`DELETE FROM audit.payload WHERE municipality_code = '139008' AND seq = 3`]);
		const report = await verifyAuditChain(database.owner, { municipalityCode: '139008' });
		expect(report.firstBreak).toMatchObject({
			municipalityCode: '139008',
			seq: '3',
			problem: 'payload_missing'
		});
		// Nor can a record of an erasure be made or removed by an app role.
		await expect(
			sql`INSERT INTO audit.payload_erasure (municipality_code, seq) VALUES ('139008', 3)`.execute(
				database.backoffice
			)
		).rejects.toThrow(/permission denied/);
	});
});
