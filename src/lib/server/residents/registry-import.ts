// Applies a 住民基本台帳 異動 feed (registry-feed.ts) to the resident table: streamed, in batches
// of a few thousand lines, all in one transaction — an import applies the whole file's good lines
// or nothing. A bad line is reported by its number and skipped; it never stops the file. A dry
// run does the same work and rolls it back, so its diff is exactly what applying would do.
// Afterwards the household-derived 法定代理人 links of every household touched are recomputed,
// and a person removed from the register (転出, 死亡) loses their portal sessions at once.
import { createHash, randomUUID } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse } from 'csv-parse';
import { sql, type Transaction } from 'kysely';
import type { Database, DB } from '../db';
import { recordAudit, type Actor, type AuditContext } from '../audit/record';
import { tokyoDate } from '../time';
import {
	applyFeedLine,
	checkHeader,
	parseFeedLine,
	registerColumns,
	type ChangeKind,
	type FeedError,
	type FeedLine,
	type RegisterEntry
} from './registry-feed';
import { recomputeHouseholdGuardianships, type GuardianshipChanges } from './guardianship';

export type ImportCounts = Record<ChangeKind, number>;
export type ImportChange = {
	line: number;
	atena_number: string;
	kind: Exclude<ChangeKind, 'unchanged'>;
	fields: string[];
};
export type ImportReport = {
	id: string;
	dryRun: boolean;
	fileSha256: string;
	lines: number;
	/** The file's lines with anything on them: the header, plus every line counted or refused. */
	fileLines: number;
	counts: ImportCounts;
	errorCount: number;
	/** The first refused lines, in file order. */
	errors: FeedError[];
	/** For a dry run the first changes (the preview); for an applied run, all are stored. */
	changes: ImportChange[];
	guardianships: GuardianshipChanges;
};

/**
 * The file's lines against the lines the import accounted for (applied, unchanged or refused):
 * should they ever differ, nothing is imported, since a line would otherwise vanish unreported.
 */
export class RegistryLineCountError extends Error {
	override name = 'UsageError';
	constructor(
		readonly fileLines: number,
		readonly accounted: number
	) {
		super(`the file has ${fileLines} lines but ${accounted} were read; nothing was imported`);
	}
}

/** Counts a file's lines that carry anything, whatever ends them (CRLF, LF or a lone CR). */
class LineCounter {
	lines = 0;
	private content = false;
	private afterCr = false;
	update(chunk: Buffer) {
		for (const byte of chunk) {
			if (byte === 0x0a) {
				if (!this.afterCr) this.end();
				this.afterCr = false;
			} else if (byte === 0x0d) {
				this.end();
				this.afterCr = true;
			} else {
				this.afterCr = false;
				this.content = true;
			}
		}
	}
	end() {
		if (this.content) this.lines++;
		this.content = false;
	}
}

const lineBreaks = /\r\n|\r|\n/g;

export class RegistryHeaderError extends Error {
	override name = 'UsageError';
	constructor() {
		super('the first line must be the documented header (docs/registry-feed.md)');
	}
}

const keptErrors = 1000;
const previewChanges = 10_000;
class DryRunRollback extends Error {}

export async function importRegistryFeed(
	db: Database,
	input: {
		municipalityCode: string;
		fileName: string;
		source: Readable | AsyncIterable<Buffer | string>;
		dryRun: boolean;
		actor: Actor;
		context?: AuditContext;
		now: Date;
		batchSize?: number;
		/** After each batch; may throw to stop the import (its transaction then rolls back). */
		onProgress?: (progress: { lines: number; bytes: number }) => void | Promise<void>;
	}
): Promise<ImportReport> {
	const id = randomUUID();
	const today = tokyoDate(input.now);
	const batchSize = input.batchSize ?? 4000;
	const report: ImportReport = {
		id,
		dryRun: input.dryRun,
		fileSha256: '',
		lines: 0,
		fileLines: 0,
		counts: { insert: 0, update: 0, return: 0, move_out: 0, death: 0, unchanged: 0 },
		errorCount: 0,
		errors: [],
		changes: [],
		guardianships: { added: 0, removed: 0, updated: 0 }
	};
	const refuse = (error: FeedError) => {
		report.errorCount++;
		if (report.errors.length < keptErrors) report.errors.push(error);
	};
	const startedBy = `${input.actor.type}:${input.actor.id}`;

	const run = async (trx: Transaction<DB>) => {
		if (!input.dryRun) await insertRun(trx, input, id, startedBy);
		const households = new Set<string>();
		let pending: FeedLine[] = [];
		const flush = async () => {
			if (pending.length === 0) return;
			const changes = await applyBatch(
				trx,
				input.municipalityCode,
				pending,
				households,
				report,
				refuse
			);
			if (!input.dryRun) await insertChanges(trx, id, changes);
			else report.changes.push(...changes.slice(0, previewChanges - report.changes.length));
			pending = [];
		};

		const hash = createHash('sha256');
		const counter = new LineCounter();
		// Lines read: the header, each record, and the line breaks a quoted field carries.
		let accounted = 0;
		let bytes = 0;
		const hashing = new Transform({
			transform(chunk: Buffer | string, _encoding, done) {
				hash.update(chunk);
				counter.update(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
				bytes += chunk.length;
				done(null, chunk);
			}
		});
		const parser = parse({
			bom: true,
			// Files joined from two systems mix CRLF and LF; without this the parser keeps the first
			// line's ending and reads the other lines as one record (issue 25, item 6).
			record_delimiter: ['\r\n', '\n', '\r'],
			relax_column_count: true,
			skip_empty_lines: true,
			skip_records_with_error: true,
			info: true,
			on_skip: (error) => {
				const line = (error as { lines?: number } | undefined)?.lines ?? report.lines + 1;
				report.lines = Math.max(report.lines, line);
				accounted++;
				refuse({ line, field: null, code: 'malformed_csv' });
				return undefined;
			}
		});
		let header = true;
		// The first error inside the loop (a bad header, a cancel from onProgress) is the one to
		// report; pipeline itself reports the streams it then aborted.
		let failure: unknown;
		const consume = async (
			records: AsyncIterable<{ record: string[]; info: { lines: number } }>
		) => {
			try {
				await consumeRecords(records);
			} catch (error) {
				failure ??= error;
				throw error;
			}
		};
		const consumeRecords = async (
			records: AsyncIterable<{ record: string[]; info: { lines: number } }>
		) => {
			for await (const { record, info } of records) {
				report.lines = info.lines;
				accounted += 1 + (record.join('').match(lineBreaks)?.length ?? 0);
				if (header) {
					if (!checkHeader(record)) throw new RegistryHeaderError();
					header = false;
					continue;
				}
				const parsed = parseFeedLine(record, info.lines, today);
				if (!parsed.ok) refuse(parsed.error);
				else {
					// A person named twice in one batch is applied in order against the state the
					// earlier line left (applyBatch keeps it per person).
					pending.push(parsed.value);
				}
				if (pending.length >= batchSize) {
					await flush();
					await input.onProgress?.({ lines: report.lines, bytes });
				}
			}
		};
		await pipeline(input.source, hashing, parser, consume).catch((error: unknown) => {
			throw failure ?? error;
		});
		if (header) throw new RegistryHeaderError();
		counter.end();
		report.fileLines = counter.lines;
		if (accounted !== counter.lines) throw new RegistryLineCountError(counter.lines, accounted);
		await flush();
		report.fileSha256 = hash.digest('hex');
		await input.onProgress?.({ lines: report.lines, bytes });
		report.guardianships = await recomputeHouseholdGuardianships(
			trx,
			input.municipalityCode,
			[...households],
			today
		);
		report.errors.sort((a, b) => a.line - b.line);
		if (input.dryRun) throw new DryRunRollback();
		await finishRun(trx, id, report);
		await auditRun(trx, input, report);
	};

	try {
		await db.transaction().execute(run);
	} catch (error) {
		if (!(error instanceof DryRunRollback)) throw error;
		// The dry run's own record (with its preview) is written after the rollback.
		await db.transaction().execute(async (trx) => {
			await insertRun(trx, input, id, startedBy);
			await insertChanges(trx, id, report.changes);
			await finishRun(trx, id, report);
			await auditRun(trx, input, report);
		});
	}
	return report;
}

type Existing = RegisterEntry & { atena_number: string };

async function applyBatch(
	trx: Transaction<DB>,
	municipalityCode: string,
	lines: FeedLine[],
	households: Set<string>,
	report: ImportReport,
	refuse: (error: FeedError) => void
): Promise<ImportChange[]> {
	const keys = [...new Set(lines.map((line) => line.atena_number))];
	const rows = (await trx
		.selectFrom('resident')
		.select(['atena_number', ...registerColumns])
		.where('municipality_code', '=', municipalityCode)
		.where('atena_number', 'in', keys)
		.execute()) as Existing[];
	const state = new Map<string, RegisterEntry>(rows.map((row) => [row.atena_number, row]));
	const touched = new Set<string>();
	const changes: ImportChange[] = [];
	for (const line of lines) {
		const before = state.get(line.atena_number);
		const applied = applyFeedLine(before, line);
		if (!applied.ok) {
			refuse(applied.error);
			continue;
		}
		report.counts[applied.kind]++;
		if (applied.kind === 'unchanged') continue;
		state.set(line.atena_number, applied.entry);
		touched.add(line.atena_number);
		if (before) households.add(before.household_number);
		households.add(applied.entry.household_number);
		changes.push({
			line: line.line,
			atena_number: line.atena_number,
			kind: applied.kind,
			fields: applied.fields
		});
	}
	if (touched.size === 0) return changes;

	const entries = [...touched].map((atena) => ({ atena_number: atena, ...state.get(atena)! }));
	const columns = ['atena_number', ...registerColumns] as const;
	const types: Record<string, string> = {
		is_household_head: 'boolean',
		birth_date: 'date',
		became_resident_on: 'date',
		address_set_on: 'date',
		foreign_resident_on: 'date',
		removed_on: 'date'
	};
	const json = JSON.stringify(entries.map((entry) => columns.map((column) => entry[column])));
	await sql`INSERT INTO resident (municipality_code, ${sql.join(columns.map((column) => sql.ref(column)))})
		SELECT ${municipalityCode}::text, ${sql.join(
			columns.map(
				(column, index) => sql`(r->>${sql.raw(String(index))})::${sql.raw(types[column] ?? 'text')}`
			)
		)}
		FROM jsonb_array_elements(${json}::jsonb) AS r
		ON CONFLICT (municipality_code, atena_number) DO UPDATE SET
		${sql.join(registerColumns.map((column) => sql`${sql.ref(column)} = excluded.${sql.ref(column)}`))},
		updated_at = now()`.execute(trx);

	// 転出・死亡: the person's passkeys are published as inactive (migration 0049 marks them when the
	// status changes), and the portal ends the sessions they opened when it takes the publication.
	return changes;
}

async function insertRun(
	trx: Transaction<DB>,
	input: { municipalityCode: string; fileName: string; dryRun: boolean; now: Date },
	id: string,
	startedBy: string
): Promise<void> {
	await trx
		.insertInto('registry_import')
		.values({
			id,
			municipality_code: input.municipalityCode,
			file_name: input.fileName.slice(0, 255) || 'registry.csv',
			file_sha256: '0'.repeat(64),
			dry_run: input.dryRun,
			started_by: startedBy,
			started_at: input.now,
			finished_at: input.now,
			lines: 0,
			counts: JSON.stringify({}),
			error_count: 0,
			errors: JSON.stringify([]),
			guardianships: JSON.stringify({})
		})
		.execute();
}

async function insertChanges(
	trx: Transaction<DB>,
	id: string,
	changes: ImportChange[]
): Promise<void> {
	if (changes.length === 0) return;
	const json = JSON.stringify(changes);
	await sql`INSERT INTO registry_import_change (import_id, line, atena_number, kind, fields)
		SELECT ${id}::uuid, (c->>'line')::int, c->>'atena_number', c->>'kind',
			ARRAY(SELECT jsonb_array_elements_text(c->'fields'))
		FROM jsonb_array_elements(${json}::jsonb) AS c`.execute(trx);
}

async function finishRun(trx: Transaction<DB>, id: string, report: ImportReport): Promise<void> {
	await trx
		.updateTable('registry_import')
		.set({
			file_sha256: report.fileSha256,
			finished_at: new Date(),
			lines: report.lines,
			counts: JSON.stringify(report.counts),
			error_count: report.errorCount,
			errors: JSON.stringify(report.errors),
			guardianships: JSON.stringify(report.guardianships)
		})
		.where('id', '=', id)
		.execute();
}

async function auditRun(
	trx: Transaction<DB>,
	input: { municipalityCode: string; actor: Actor; context?: AuditContext },
	report: ImportReport
): Promise<void> {
	// One entry per run (the counts, never a person's data); who was changed is in
	// registry_import_change and the file's SHA-256 in registry_import, which the import id points
	// to (a hex digest can hold a run of 12 digits that the 個人番号 guard rightly refuses).
	await recordAudit(trx, {
		municipalityCode: input.municipalityCode,
		actor: input.actor,
		context: input.context,
		action: 'system.registry_import',
		objectType: 'registry_import',
		objectId: report.id,
		result: 'ok',
		payload: {
			dry_run: report.dryRun,
			lines: report.lines,
			counts: report.counts,
			refused_lines: report.errorCount,
			guardianships: report.guardianships
		}
	});
}
