// The back office's door to the 住基 異動 import: a file uploaded and dry-run (counts, refused
// lines, the first changes), then that same file applied — kept for a day between the two
// (RET-5), applied by the job worker with progress and a cancel, its bytes dropped once applied —
// and the list of earlier runs. Large files go through the CLI (npm run registry:import), which
// streams them.
import { Readable } from 'node:stream';
import { messageFor } from '$lib/messages';
import { m } from '$lib/paraglide/messages';
import { actorOf, auditAs, requirePermission, type Caller } from '../audit/caller';
import type { Executor } from '../db';
import { AccessRefused, DomainError } from '../errors';
import { isUuid } from '../ids';
import {
	importRegistryFeed,
	RegistryHeaderError,
	RegistryLineCountError,
	type ImportReport
} from './registry-import';
import { cancelRegistryApply, queueRegistryApply, registryApplyProgress } from './registry-jobs';

const permission = 'registry.import';
export const maxUploadBytes = 30 * 1024 * 1024;
const keepUploadHours = 24;

type UploadRefusal =
	'file_required' | 'file_too_large' | 'header' | 'line_count' | 'upload_gone' | 'cancel_too_late';

export class RegistryUploadError extends DomainError<UploadRefusal> {
	protected readonly messages = {
		file_required: m.registry_file_required,
		file_too_large: m.registry_file_too_large,
		header: m.registry_header,
		// The thrower passes the words with the counts it found.
		line_count: m.registry_header,
		upload_gone: m.registry_upload_gone,
		cancel_too_late: m.registry_cancel_too_late
	};
	constructor(code: UploadRefusal, text?: string) {
		super(code, code === 'upload_gone' ? 410 : code === 'cancel_too_late' ? 409 : 400, {}, text);
	}
}

const shown = (report: Pick<ImportReport, 'errors' | 'changes'>) => ({
	errors: report.errors.slice(0, 200).map((refused) => ({
		line: refused.line,
		field: refused.field,
		message: messageFor(`registry_error_${refused.code}`)
	})),
	changes: report.changes.slice(0, 200)
});

/** Earlier runs, and the progress of the upload the page follows (the one just applied). */
export async function registryImports(
	db: Executor,
	caller: Caller,
	input: { following: string | null },
	now = new Date()
) {
	requirePermission(caller, permission);
	// Files kept for applying later expire after a day (RET-5); a job in progress keeps its own.
	await db
		.deleteFrom('registry_upload')
		.where('expires_at', '<', now)
		.where('status', 'not in', ['queued', 'applying'])
		.execute();
	const runs = await db
		.selectFrom('registry_import')
		.select([
			'id',
			'file_name',
			'dry_run',
			'started_at',
			'lines',
			'counts',
			'error_count',
			'guardianships'
		])
		.where('municipality_code', '=', caller.municipalityCode)
		.orderBy('started_at', 'desc')
		.limit(30)
		.execute();
	await auditAs(db, caller, {
		action: 'registry.list',
		result: 'ok',
		payload: { runs: runs.length }
	});
	return {
		runs: runs.map((run) => ({
			...run,
			started_at: run.started_at.toISOString(),
			counts: run.counts as Record<string, number>,
			guardianships: run.guardianships as Record<string, number>
		})),
		applying:
			input.following && isUuid(input.following)
				? await registryApplyProgress(db, {
						municipalityCode: caller.municipalityCode,
						uploadId: input.following,
						now
					})
				: null
	};
}

/** A file read in full and nothing changed: what it would do, and the upload to apply it from. */
export async function dryRunUpload(
	db: Executor,
	caller: Caller,
	input: { file: File | null },
	now = new Date()
) {
	requirePermission(caller, permission);
	const { file } = input;
	if (!file || file.size === 0) throw new RegistryUploadError('file_required');
	if (file.size > maxUploadBytes) throw new RegistryUploadError('file_too_large');
	const bytes = Buffer.from(await file.arrayBuffer());
	let report: ImportReport;
	try {
		report = await importRegistryFeed(db, {
			municipalityCode: caller.municipalityCode,
			fileName: file.name.slice(0, 255),
			source: Readable.from([bytes]),
			dryRun: true,
			actor: actorOf(caller),
			context: caller.context!,
			now
		});
	} catch (failure) {
		if (failure instanceof RegistryHeaderError) throw new RegistryUploadError('header');
		if (failure instanceof RegistryLineCountError) {
			throw new RegistryUploadError(
				'line_count',
				m.registry_line_count({ file: failure.fileLines, read: failure.accounted })
			);
		}
		throw failure;
	}
	const upload = await db
		.insertInto('registry_upload')
		.values({
			municipality_code: caller.municipalityCode,
			file_name: file.name.slice(0, 255),
			bytes,
			size: bytes.length,
			uploaded_by: caller.id,
			dry_run_id: report.id,
			expires_at: new Date(now.getTime() + keepUploadHours * 3_600_000)
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	return {
		uploadId: upload.id,
		fileName: file.name,
		lines: report.lines,
		counts: report.counts,
		errorCount: report.errorCount,
		guardianships: report.guardianships,
		...shown(report)
	};
}

/**
 * The dry-run file applied by the job worker: queued once (a double tap or a second tab finds it
 * no longer waiting), then handed to `enqueue` (the job runner, which the route holds).
 */
export async function applyUpload(
	db: Executor,
	caller: Caller,
	input: { id: string },
	enqueue: (uploadId: string) => Promise<void>,
	now = new Date()
): Promise<void> {
	requirePermission(caller, permission);
	if (!isUuid(input.id)) throw new AccessRefused('not_found');
	const audit = {
		action: 'registry.apply',
		objectType: 'registry_upload',
		objectId: input.id
	} as const;
	const queued = await db.transaction().execute(async (trx) => {
		const done = await queueRegistryApply(trx, {
			municipalityCode: caller.municipalityCode,
			uploadId: input.id,
			now
		});
		if (done) await auditAs(trx, caller, { ...audit, result: 'ok' });
		return done;
	});
	if (!queued) {
		await auditAs(db, caller, { ...audit, result: 'denied', payload: { refused: 'upload_gone' } });
		throw new RegistryUploadError('upload_gone');
	}
	await enqueue(input.id);
}

/** Stops an apply in progress (what is applied stays; the rest is not). */
export async function cancelUpload(db: Executor, caller: Caller, input: { id: string }) {
	requirePermission(caller, permission);
	if (!isUuid(input.id)) throw new AccessRefused('not_found');
	const asked = await cancelRegistryApply(db, {
		municipalityCode: caller.municipalityCode,
		uploadId: input.id
	});
	await auditAs(db, caller, {
		action: 'registry.cancel',
		objectType: 'registry_upload',
		objectId: input.id,
		result: asked ? 'ok' : 'denied'
	});
	if (!asked) throw new RegistryUploadError('cancel_too_late');
}
