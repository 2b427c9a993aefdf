// Signed checkpoints of the audit chains, kept outside the database (ASVS 16.4.3 in
// docs/security.md). The hash chain alone shows that no entry changed unless every later hash was
// recomputed too, and whoever controls the database can do that: rewrite an entry and re-hash the
// rest, or cut the tail off. A checkpoint is a chain's head (seq and hash), signed with an Ed25519
// key the database never holds and appended to a file on another system (AUDIT_CHECKPOINT_DIR,
// append-only storage in a deployment). A chain rewritten or cut after a checkpoint no longer
// holds the hash that checkpoint signed, and a checkpoint cannot be forged without the key.
//
// A checkpoint is written only after the entries since the previous one verify, so a checkpoint
// never vouches for a chain that was already broken. Each line carries the hash of the line
// before it: a line removed from the middle of the file, or lines reordered, are seen too.
import { createHash, sign, verify as verifySignature } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'kysely';
import type { Executor } from '../db';
import {
	ed25519Signer,
	parsePublicKeys,
	type Ed25519Signer,
	type PublicKeys
} from '../crypto/ed25519';
import { canonicalJson } from './chain';
import { chainedCities, verifyAuditChain, type ChainBreak } from './verify';

export type CheckpointSigner = Ed25519Signer;
export type CheckpointKeys = PublicKeys;

type Statement = {
	v: 1;
	kid: string;
	municipality: string;
	seq: string;
	hash: string;
	at: string;
	/** SHA-256 of the previous line of this file, or null for its first line. */
	prev: string | null;
};
type Checkpoint = Statement & { sig: string };

/** The keys to verify with: the published ones (retired keys too) and the signer's own. */
export function checkpointKeys(
	signingKey: { id: string; key: Buffer } | undefined,
	publishedKeys: string | undefined
): CheckpointKeys {
	const keys = publishedKeys ? parsePublicKeys(publishedKeys) : new Map();
	if (signingKey) {
		const signer = ed25519Signer(signingKey);
		keys.set(signer.id, signer.publicKey);
	}
	return keys;
}

export function checkpointFile(dir: string, municipalityCode: string): string {
	return path.join(dir, `audit-checkpoints-${municipalityCode}.jsonl`);
}

function lineHash(line: string): string {
	return createHash('sha256').update(line, 'utf8').digest('hex');
}

/** The last complete line of a file, read from its end (the file grows for years). */
async function lastLine(file: string): Promise<string | null> {
	if (!existsSync(file)) return null;
	const handle = await open(file, 'r');
	try {
		const { size } = await handle.stat();
		for (let window = 4096; ; window *= 4) {
			const length = Math.min(window, size);
			const buffer = Buffer.alloc(length);
			await handle.read(buffer, 0, length, size - length);
			const text = buffer.toString('utf8').replace(/\n+$/, '');
			const newline = text.lastIndexOf('\n');
			if (newline !== -1 || length === size) return text.slice(newline + 1) || null;
		}
	} finally {
		await handle.close();
	}
}

function parseCheckpoint(line: string): Checkpoint | null {
	try {
		const value = JSON.parse(line) as Checkpoint;
		const fields = [value.kid, value.municipality, value.seq, value.hash, value.at, value.sig];
		if (value.v !== 1 || fields.some((field) => typeof field !== 'string')) return null;
		if (value.prev !== null && typeof value.prev !== 'string') return null;
		return value;
	} catch {
		return null;
	}
}

function statementBytes(checkpoint: Statement): Buffer {
	const { v, kid, municipality, seq, hash, at, prev } = checkpoint;
	return Buffer.from(canonicalJson({ v, kid, municipality, seq, hash, at, prev }), 'utf8');
}

async function headOf(db: Executor, municipalityCode: string) {
	const { rows } = await sql<{ seq: string; entry_hash: Buffer }>`
		SELECT seq, entry_hash FROM audit.entry WHERE municipality_code = ${municipalityCode}
		ORDER BY seq DESC LIMIT 1`.execute(db);
	return rows[0] ?? null;
}

async function hashAt(db: Executor, municipalityCode: string, seq: string) {
	const { rows } = await sql<{ entry_hash: Buffer }>`
		SELECT entry_hash FROM audit.entry WHERE municipality_code = ${municipalityCode} AND seq = ${seq}`.execute(
		db
	);
	return rows[0]?.entry_hash.toString('hex') ?? null;
}

export type CheckpointRefusal = {
	municipalityCode: string;
	seq: string | null;
	problem: ChainBreak['problem'] | CheckpointProblem['problem'];
};

/**
 * Appends a signed checkpoint of every municipality's chain head to its file in `dir`. One
 * writer at a time across processes (an advisory lock), so two back-office processes cannot
 * fork a file. A chain whose entries since its last checkpoint do not verify gets no checkpoint
 * (it is among `refused`), and the other chains still get theirs.
 */
export async function writeCheckpoints(
	db: Executor,
	options: {
		dir: string;
		signer: CheckpointSigner;
		now: Date;
		municipalityCode?: string;
		/** A chain whose last checkpoint is newer than this gets none now (another process wrote it). */
		skipIfNewerThan?: Date;
	}
): Promise<{
	written: { municipalityCode: string; seq: string; file: string }[];
	refused: CheckpointRefusal[];
}> {
	await mkdir(options.dir, { recursive: true, mode: 0o750 });
	const write = async (trx: Executor) => {
		await sql`SELECT pg_advisory_xact_lock(hashtext('audit.checkpoint'))`.execute(trx);
		const codes = options.municipalityCode ? [options.municipalityCode] : await chainedCities(trx);
		const written = [];
		const refused: CheckpointRefusal[] = [];
		for (const code of codes) {
			const head = await headOf(trx, code);
			if (!head) continue;
			const file = checkpointFile(options.dir, code);
			const previousLine = await lastLine(file);
			const previous = previousLine ? parseCheckpoint(previousLine) : null;
			// A torn or altered last line is for an operator to look at, not to write past.
			if (previousLine && !previous) {
				refused.push({ municipalityCode: code, seq: null, problem: 'checkpoint_unreadable' });
				continue;
			}
			if (
				previous &&
				options.skipIfNewerThan &&
				Date.parse(previous.at) > options.skipIfNewerThan.getTime()
			)
				continue;
			if (previous && (await hashAt(trx, code, previous.seq)) !== previous.hash) {
				refused.push({ municipalityCode: code, seq: previous.seq, problem: 'chain_rewritten' });
				continue;
			}
			const report = await verifyAuditChain(trx, {
				municipalityCode: code,
				from: previous ? { seq: previous.seq, hash: Buffer.from(previous.hash, 'hex') } : undefined
			});
			if (report.firstBreak) {
				const { seq, problem } = report.firstBreak;
				refused.push({ municipalityCode: code, seq, problem });
				continue;
			}
			const statement: Statement = {
				v: 1,
				kid: options.signer.id,
				municipality: code,
				seq: head.seq,
				hash: head.entry_hash.toString('hex'),
				at: options.now.toISOString(),
				prev: previousLine ? lineHash(previousLine) : null
			};
			const sig = sign(null, statementBytes(statement), options.signer.privateKey).toString(
				'base64url'
			);
			// One write of one short line to a file opened for appending, then flushed to disk.
			const handle = await open(file, 'a', 0o640);
			try {
				await handle.write(`${JSON.stringify({ ...statement, sig })}\n`);
				await handle.sync();
			} finally {
				await handle.close();
			}
			written.push({ municipalityCode: code, seq: head.seq, file });
		}
		return { written, refused };
	};
	return db.isTransaction ? write(db) : db.transaction().execute(write);
}

/**
 * When the newest checkpoint of a city was written, read from its file's last line (null when it
 * has none), and whether that is older than twice the interval: the schedule has stopped.
 */
export async function checkpointFreshness(
	dir: string,
	municipalityCode: string,
	options: { intervalSeconds: number; now: Date }
): Promise<{ newestAt: string | null; stale: boolean }> {
	const line = await lastLine(checkpointFile(dir, municipalityCode)).catch(() => null);
	const newestAt = line ? (parseCheckpoint(line)?.at ?? null) : null;
	const limit = options.now.getTime() - 2 * options.intervalSeconds * 1000;
	return { newestAt, stale: newestAt === null || Date.parse(newestAt) < limit };
}

export type CheckpointProblem = {
	municipalityCode: string;
	/** 1-based line of the checkpoint file. */
	line: number;
	seq: string | null;
	problem:
		| 'checkpoint_unreadable'
		| 'checkpoint_forged'
		| 'checkpoint_missing'
		| 'chain_rewritten'
		| 'chain_truncated';
};

export type CheckpointReport = {
	chains: { municipalityCode: string; checkpoints: number; lastSeq: string; lastAt: string }[];
	/** Chains in the database with no checkpoint file at all. */
	unchecked: string[];
	firstProblem: CheckpointProblem | null;
};

/** A city whose entries were all deleted still has its file: the codes of both, in order. */
async function citiesWithChainOrFile(db: Executor, dir: string): Promise<string[]> {
	const inFiles = existsSync(dir)
		? (await readdir(dir)).flatMap(
				(name) => /^audit-checkpoints-([0-9]{6})\.jsonl$/.exec(name)?.[1] ?? []
			)
		: [];
	return [...new Set([...inFiles, ...(await chainedCities(db))])].sort();
}

/**
 * Checks every checkpoint file against the database: each line's signature (with the public
 * keys only), its link to the line before, and that the entry it names still has the hash it
 * signed. Run it with verifyAuditChain, which checks the links between checkpoints.
 */
export async function verifyCheckpoints(
	db: Executor,
	options: { dir: string; keys: CheckpointKeys; municipalityCode?: string }
): Promise<CheckpointReport> {
	const codes = options.municipalityCode
		? [options.municipalityCode]
		: await citiesWithChainOrFile(db, options.dir);
	const report: CheckpointReport = { chains: [], unchecked: [], firstProblem: null };
	for (const code of codes) {
		const file = checkpointFile(options.dir, code);
		if (!existsSync(file)) {
			report.unchecked.push(code);
			continue;
		}
		const lines = (await readFile(file, 'utf8')).split('\n').filter((line) => line !== '');
		const fail = (line: number, seq: string | null, problem: CheckpointProblem['problem']) => {
			report.firstProblem = { municipalityCode: code, line, seq, problem };
			return report;
		};
		let previousLine: string | null = null;
		let previousSeq = 0n;
		let last: Checkpoint | null = null;
		for (const [index, line] of lines.entries()) {
			const checkpoint = parseCheckpoint(line);
			if (!checkpoint || checkpoint.municipality !== code || !/^[0-9]+$/.test(checkpoint.seq))
				return fail(index + 1, null, 'checkpoint_unreadable');
			const key = options.keys.get(checkpoint.kid);
			const signed =
				key !== undefined &&
				verifySignature(
					null,
					statementBytes(checkpoint),
					key,
					Buffer.from(checkpoint.sig, 'base64url')
				);
			if (!signed) return fail(index + 1, checkpoint.seq, 'checkpoint_forged');
			const expectedPrev = previousLine === null ? null : lineHash(previousLine);
			if (checkpoint.prev !== expectedPrev || BigInt(checkpoint.seq) < previousSeq)
				return fail(index + 1, checkpoint.seq, 'checkpoint_missing');
			const hash = await hashAt(db, code, checkpoint.seq);
			if (hash === null) return fail(index + 1, checkpoint.seq, 'chain_truncated');
			if (hash !== checkpoint.hash) return fail(index + 1, checkpoint.seq, 'chain_rewritten');
			previousLine = line;
			previousSeq = BigInt(checkpoint.seq);
			last = checkpoint;
		}
		if (last) {
			report.chains.push({
				municipalityCode: code,
				checkpoints: lines.length,
				lastSeq: last.seq,
				lastAt: last.at
			});
		}
	}
	return report;
}

export type AuditLogCheck = {
	entries: number;
	intact: boolean;
	/** The first break the chain or its checkpoints show. */
	firstBreak: { seq: string; problem: string } | null;
	/** null when this deployment keeps no checkpoints. */
	checkpoints: { count: number; lastSeq: string; lastAt: string } | null;
};

/**
 * What the auditor's "verify now" and a recorded review state: the chain recomputed from its
 * genesis, then its signed checkpoints, which a consistent rewrite or a cut tail cannot pass.
 */
export async function checkAuditLog(
	db: Executor,
	options: { municipalityCode: string; checkpoints?: { dir: string; keys: CheckpointKeys } }
): Promise<AuditLogCheck> {
	const chain = await verifyAuditChain(db, { municipalityCode: options.municipalityCode });
	const result: AuditLogCheck = {
		entries: chain.entriesChecked,
		intact: chain.firstBreak === null,
		firstBreak: chain.firstBreak
			? { seq: chain.firstBreak.seq, problem: chain.firstBreak.problem }
			: null,
		checkpoints: null
	};
	if (!options.checkpoints || chain.firstBreak) return result;
	const report = await verifyCheckpoints(db, {
		...options.checkpoints,
		municipalityCode: options.municipalityCode
	});
	const latest = report.chains[0];
	result.checkpoints = {
		count: latest?.checkpoints ?? 0,
		lastSeq: latest?.lastSeq ?? '0',
		lastAt: latest?.lastAt ?? ''
	};
	if (report.firstProblem) {
		result.intact = false;
		result.firstBreak = {
			seq: report.firstProblem.seq ?? '-',
			problem: report.firstProblem.problem
		};
	}
	return result;
}
