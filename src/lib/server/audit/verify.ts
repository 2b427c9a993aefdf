// Recomputes every municipality's chain in seq order and names the first broken entry.
// Detects: an altered field (hash mismatch), a deleted, inserted, reordered or duplicated row
// (seq gap or broken link), an altered payload, and a payload row with no entry. A payload erased
// at its retention deadline is not a break: the chain covers only its hash.
import { sql } from 'kysely';
import type { Executor } from '../db';
import { chainTimeSql, entryHash, genesisHash, payloadHash, type ChainedFields } from './chain';

export type ChainBreak = {
	municipalityCode: string;
	seq: string;
	/** null for a payload row without an entry. */
	id: string | null;
	problem:
		| 'entry_altered'
		| 'link_broken'
		| 'sequence_gap'
		| 'payload_altered'
		| 'payload_orphaned'
		| 'payload_missing';
};

export type VerifyReport = {
	entriesChecked: number;
	chains: { municipalityCode: string; entries: number; headSeq: string; headHash: string }[];
	firstBreak: ChainBreak | null;
};

export type ChainRow = {
	id: string;
	municipality_code: string;
	seq: string;
	occurred_at_text: string;
	actor_type: string;
	actor_id: string;
	actor_role: string;
	department: string | null;
	ip: string | null;
	user_agent: string | null;
	session_hash: string | null;
	request_id: string | null;
	action: string;
	subject_atena_number: string | null;
	object_type: string | null;
	object_id: string | null;
	reason: string | null;
	result: string;
	payload_hash: Buffer | null;
	prev_hash: Buffer;
	entry_hash: Buffer;
	payload: unknown;
	/** Erased by retention (audit.erase_payloads), which is the only way a payload may go. */
	payload_erased: boolean;
};

/** The municipalities that have an audit chain, in code order. */
export async function chainedCities(db: Executor): Promise<string[]> {
	const rows = await db
		.selectFrom('audit.entry')
		.select('municipality_code')
		.distinct()
		.orderBy('municipality_code')
		.execute();
	return rows.map((row) => row.municipality_code);
}

/** One batch of a chain's entries after `afterSeq`, in seq order, with their payloads. */
export async function chainRows(
	db: Executor,
	municipalityCode: string,
	afterSeq: string,
	limit: number
): Promise<ChainRow[]> {
	const { rows } = await sql<ChainRow>`
		SELECT e.id, e.municipality_code, e.seq, e.actor_type, e.actor_id, e.actor_role, e.department, e.ip,
			e.user_agent, e.session_hash, e.request_id, e.action, e.subject_atena_number, e.object_type,
			e.object_id, e.reason, e.result, e.payload_hash, e.prev_hash, e.entry_hash,
			${sql.raw(chainTimeSql.replace('occurred_at', 'e.occurred_at'))} AS occurred_at_text, p.payload,
			x.seq IS NOT NULL AS payload_erased
		FROM audit.entry e
		LEFT JOIN audit.payload p ON p.municipality_code = e.municipality_code AND p.seq = e.seq
		LEFT JOIN audit.payload_erasure x ON x.municipality_code = e.municipality_code AND x.seq = e.seq
		WHERE e.municipality_code = ${municipalityCode} AND e.seq > ${afterSeq}
		ORDER BY e.seq
		LIMIT ${limit}`.execute(db);
	return rows;
}

export function chainedFieldsOf(row: ChainRow): ChainedFields {
	return {
		municipalityCode: row.municipality_code,
		seq: row.seq,
		occurredAt: row.occurred_at_text,
		actorType: row.actor_type,
		actorId: row.actor_id,
		actorRole: row.actor_role,
		department: row.department,
		ip: row.ip,
		userAgent: row.user_agent,
		sessionHash: row.session_hash,
		requestId: row.request_id,
		action: row.action,
		subjectAtenaNumber: row.subject_atena_number,
		objectType: row.object_type,
		objectId: row.object_id,
		reason: row.reason,
		result: row.result,
		payloadHash: row.payload_hash
	};
}

/**
 * Verifies each chain from its genesis or, with `from`, from an entry already known good (a
 * signed checkpoint's seq and hash): then only the entries after it are read.
 */
export async function verifyAuditChain(
	db: Executor,
	options: {
		municipalityCode?: string;
		batchSize?: number;
		from?: { seq: string; hash: Buffer };
	} = {}
): Promise<VerifyReport> {
	const batchSize = options.batchSize ?? 10_000;
	const codes = options.municipalityCode ? [options.municipalityCode] : await chainedCities(db);

	const report: VerifyReport = { entriesChecked: 0, chains: [], firstBreak: null };
	for (const code of codes) {
		let lastSeq = options.from?.seq ?? '0';
		let expectedSeq = BigInt(lastSeq) + 1n;
		let prevHash: Buffer = options.from?.hash ?? genesisHash;
		let entries = 0;
		for (;;) {
			const rows = await chainRows(db, code, lastSeq, batchSize);
			for (const row of rows) {
				const at = (problem: ChainBreak['problem']): ChainBreak => ({
					municipalityCode: code,
					seq: row.seq,
					id: row.id,
					problem
				});
				let problem: ChainBreak | null = null;
				if (BigInt(row.seq) !== expectedSeq) problem = at('sequence_gap');
				else if (!row.prev_hash.equals(prevHash)) problem = at('link_broken');
				else if (!entryHash(prevHash, chainedFieldsOf(row)).equals(row.entry_hash))
					problem = at('entry_altered');
				else if (
					row.payload !== null &&
					(!row.payload_hash || !payloadHash(row.payload).equals(row.payload_hash))
				)
					problem = at('payload_altered');
				// A payload goes only through retention, which records it (migration 0035).
				else if (row.payload === null && row.payload_hash && !row.payload_erased)
					problem = at('payload_missing');
				if (problem) {
					report.firstBreak = problem;
					report.entriesChecked += entries;
					return report;
				}
				entries++;
				expectedSeq++;
				prevHash = row.entry_hash;
				lastSeq = row.seq;
			}
			if (rows.length < batchSize) break;
		}
		// A payload row with no entry: nothing covers it (audit.payload has no foreign key, 0031).
		const { rows: orphans } = await sql<{ seq: string }>`
			SELECT p.seq FROM audit.payload p
			WHERE p.municipality_code = ${code} AND p.seq > ${options.from?.seq ?? '0'} AND NOT EXISTS (
				SELECT 1 FROM audit.entry e WHERE e.municipality_code = p.municipality_code AND e.seq = p.seq)
			ORDER BY p.seq LIMIT 1`.execute(db);
		if (orphans[0]) {
			report.firstBreak = {
				municipalityCode: code,
				seq: orphans[0].seq,
				id: null,
				problem: 'payload_orphaned'
			};
			report.entriesChecked += entries;
			return report;
		}
		report.entriesChecked += entries;
		report.chains.push({
			municipalityCode: code,
			entries,
			headSeq: lastSeq,
			headHash: prevHash.toString('hex')
		});
	}
	return report;
}
