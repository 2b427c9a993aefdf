// npm run bench:audit [-- --appends 4000 --entries 1000000]
// Audit append throughput with 1 and 8 concurrent writers, each entry in a transaction of its
// own (as a domain change writes it) and without one (a view or search: the group append), next
// to a plain INSERT of the same row to show what the chain lock costs; then verify throughput
// over a chain of --entries entries.
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { chainTime, entryHash, genesisHash } from '../../src/lib/server/audit/chain';
import { recordAudit, type AuditEvent } from '../../src/lib/server/audit/record';
import { verifyAuditChain } from '../../src/lib/server/audit/verify';
import type { Database } from '../../src/lib/server/db';
import { scratchDatabase } from './scratch-database';

const { values } = parseArgs({
	options: {
		appends: { type: 'string', default: '4000' },
		entries: { type: 'string', default: '1000000' }
	}
});
const appends = Number(values.appends);
const entries = Number(values.entries);

const event = (i: number): AuditEvent => ({
	municipalityCode: '139998',
	actor: { type: 'staff', id: `staff-${i % 50}`, role: 'caseworker', department: '健康増進課' },
	context: { requestId: `req-${i}`, ip: '127.0.0.1', userAgent: 'bench', sessionHash: null },
	action: 'resident.view',
	subjectAtenaNumber: String(1_000_000_000 + (i % 100_000))
});

function percentile(sorted: number[], p: number): number {
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function measure(
	label: string,
	writers: number,
	total: number,
	append: (i: number) => Promise<unknown>
) {
	const latencies: number[] = [];
	let next = 0;
	const started = performance.now();
	await Promise.all(
		Array.from({ length: writers }, async () => {
			while (next < total) {
				const i = next++;
				const t = performance.now();
				await append(i);
				latencies.push(performance.now() - t);
			}
		})
	);
	const seconds = (performance.now() - started) / 1000;
	latencies.sort((a, b) => a - b);
	console.log(
		`${label.padEnd(34)} ${writers} writer(s): ${Math.round(total / seconds)
			.toLocaleString()
			.padStart(7)} entries/s  ` +
			`p50 ${percentile(latencies, 50).toFixed(2)} ms  p99 ${percentile(latencies, 99).toFixed(2)} ms`
	);
}

async function plainInsert(db: Database, i: number) {
	const e = event(i);
	await sql`INSERT INTO bench_plain (municipality_code, occurred_at, actor_id, action, subject) VALUES (${e.municipalityCode}, now(), ${e.actor.id}, ${e.action}, ${e.subjectAtenaNumber})`.execute(
		db
	);
}

/** Writes a valid chain of `count` entries for another municipality quickly (bulk, hashed here). */
async function bulkChain(db: Database, code: string, count: number) {
	let prev: Buffer = genesisHash;
	const base = Date.parse('2026-01-01T00:00:00Z');
	for (let start = 0; start < count; start += 10_000) {
		const rows: unknown[][] = [];
		for (let i = start; i < Math.min(count, start + 10_000); i++) {
			const fields = {
				municipalityCode: code,
				seq: String(i + 1),
				occurredAt: chainTime(new Date(base + i * 10)),
				actorType: 'staff',
				actorId: `staff-${i % 50}`,
				actorRole: 'caseworker',
				department: '健康増進課',
				ip: '10.0.0.1',
				userAgent: 'bench',
				sessionHash: null,
				requestId: `r${i}`,
				action: i % 3 ? 'resident.view' : 'resident.search',
				subjectAtenaNumber: String(1_000_000_000 + i),
				objectType: null,
				objectId: null,
				reason: null,
				result: 'ok',
				payloadHash: null
			};
			const hash = entryHash(prev, fields);
			rows.push([
				fields.seq,
				fields.occurredAt,
				fields.actorId,
				fields.requestId,
				fields.action,
				fields.subjectAtenaNumber,
				`\\x${prev.toString('hex')}`,
				`\\x${hash.toString('hex')}`
			]);
			prev = hash;
		}
		await sql`INSERT INTO audit.entry (municipality_code, seq, occurred_at, actor_type, actor_id, actor_role, department, ip, user_agent, request_id, action, subject_atena_number, result, prev_hash, entry_hash)
			SELECT ${code}, (r->>0)::bigint, (r->>1)::timestamptz, 'staff', r->>2, 'caseworker', '健康増進課', '10.0.0.1', 'bench', r->>3, r->>4, r->>5, 'ok', (r->>6)::bytea, (r->>7)::bytea
			FROM jsonb_array_elements(${JSON.stringify(rows)}::jsonb) AS r`.execute(db);
	}
}

const database = await scratchDatabase();
try {
	await sql`CREATE TABLE bench_plain (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, municipality_code text, occurred_at timestamptz, actor_id text, action text, subject text)`.execute(
		database.owner
	);
	await sql`GRANT INSERT ON bench_plain TO vaccination_backoffice`.execute(database.owner);
	console.log(
		`Audit append (${appends.toLocaleString()} entries per run, embedded PostgreSQL on this machine, ${(await import('node:os')).cpus().length} cores)`
	);
	for (const writers of [1, 8]) {
		const app = database.backoffice(writers);
		await measure('plain INSERT (no chain, baseline)', writers, appends, (i) =>
			plainInsert(app, i)
		);
		// A domain change's entry, in its own transaction: each holds the chain lock to its commit.
		await measure('recordAudit in a transaction', writers, appends, (i) =>
			app.transaction().execute((trx) => recordAudit(trx, event(i)))
		);
		// A view's entry, no transaction: concurrent ones share a group append.
		await measure('recordAudit (group append)', writers, appends, (i) =>
			recordAudit(app, event(i))
		);
	}
	const check = await verifyAuditChain(database.owner, { municipalityCode: '139998' });
	console.log(
		`chain after concurrent appends: ${check.firstBreak ? `BROKEN at ${check.firstBreak.seq}` : `intact (${check.entriesChecked.toLocaleString()} entries)`}`
	);

	let started = performance.now();
	await bulkChain(database.owner, '139999', entries);
	// Autovacuum would analyze after such a bulk write; do it now so the verify plan is the real one.
	await sql`ANALYZE audit.entry`.execute(database.owner);
	console.log(
		`built a ${entries.toLocaleString()}-entry chain for the verify run in ${((performance.now() - started) / 1000).toFixed(1)} s`
	);
	started = performance.now();
	const report = await verifyAuditChain(database.owner, { municipalityCode: '139999' });
	const seconds = (performance.now() - started) / 1000;
	console.log(
		`verify: ${report.entriesChecked.toLocaleString()} entries in ${seconds.toFixed(1)} s = ${Math.round(report.entriesChecked / seconds).toLocaleString()} entries/s ` +
			`(${report.firstBreak ? 'BROKEN' : 'intact'})`
	);
} finally {
	await database.stop();
}
