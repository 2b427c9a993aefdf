// Applying an uploaded 異動 file as a background job: queued once (a double tap queues it once),
// applied by the worker with its progress written to the upload's row after every batch — on
// its own connection, outside the import's transaction, so the staff screen can follow it —,
// cancellable between batches (the import's transaction then rolls back: nothing applied), and
// after a crash simply applied again from the top (the import is one transaction and idempotent,
// so nothing is duplicated). The file's bytes are dropped once it is applied or given up.
import { Readable } from 'node:stream';
import type { Database, Executor } from '../db';
import type { Actor } from '../audit/record';
import { importRegistryFeed, RegistryHeaderError, RegistryLineCountError } from './registry-import';

export class RegistryApplyCancelled extends Error {
	override name = 'RegistryApplyCancelled';
}

/** Marks an uploaded (dry-run) file to be applied; false when it is not waiting any more. */
export async function queueRegistryApply(
	db: Executor,
	input: { municipalityCode: string; uploadId: string; now: Date }
): Promise<boolean> {
	const queued = await db
		.updateTable('registry_upload')
		.set({ status: 'queued' })
		.where('id', '=', input.uploadId)
		.where('municipality_code', '=', input.municipalityCode)
		.where('status', '=', 'uploaded')
		.where('expires_at', '>', input.now)
		.executeTakeFirst();
	return Number(queued.numUpdatedRows) === 1;
}

export async function cancelRegistryApply(
	db: Executor,
	input: { municipalityCode: string; uploadId: string }
): Promise<boolean> {
	const asked = await db
		.updateTable('registry_upload')
		.set({ cancel_requested: true })
		.where('id', '=', input.uploadId)
		.where('municipality_code', '=', input.municipalityCode)
		.where('status', 'in', ['queued', 'applying'])
		.executeTakeFirst();
	return Number(asked.numUpdatedRows) === 1;
}

/** The worker's part: applies one queued (or interrupted) upload. */
export async function runRegistryApply(
	db: Database,
	uploadId: string,
	options: { actor?: Actor; now?: () => Date } = {}
): Promise<'applied' | 'cancelled' | 'failed' | 'skipped'> {
	const now = options.now ?? (() => new Date());
	const upload = await db
		.updateTable('registry_upload')
		.set({ status: 'applying', started_at: now(), lines_done: 0, bytes_done: 0 })
		.where('id', '=', uploadId)
		.where('status', 'in', ['queued', 'applying'])
		.returning(['municipality_code', 'file_name', 'bytes', 'uploaded_by', 'cancel_requested'])
		.executeTakeFirst();
	if (!upload?.bytes) return 'skipped';
	const finish = (
		status: 'applied' | 'cancelled' | 'failed',
		extra: { applied_import_id?: string; failure?: string } = {}
	) =>
		db
			.updateTable('registry_upload')
			.set({ status, bytes: null, ...extra })
			.where('id', '=', uploadId)
			.execute();
	if (upload.cancel_requested) {
		await finish('cancelled');
		return 'cancelled';
	}
	try {
		const report = await importRegistryFeed(db, {
			municipalityCode: upload.municipality_code,
			fileName: upload.file_name,
			source: Readable.from([upload.bytes]),
			dryRun: false,
			actor: options.actor ?? {
				type: 'staff',
				id: upload.uploaded_by,
				role: 'registry',
				department: null
			},
			now: now(),
			onProgress: async ({ lines, bytes }) => {
				const row = await db
					.updateTable('registry_upload')
					.set({ lines_done: lines, bytes_done: bytes })
					.where('id', '=', uploadId)
					.returning('cancel_requested')
					.executeTakeFirstOrThrow();
				if (row.cancel_requested) throw new RegistryApplyCancelled();
			}
		});
		await finish('applied', { applied_import_id: report.id });
		return 'applied';
	} catch (error) {
		if (error instanceof RegistryApplyCancelled) {
			await finish('cancelled');
			return 'cancelled';
		}
		if (error instanceof RegistryHeaderError) {
			await finish('failed', { failure: 'header' });
			return 'failed';
		}
		if (error instanceof RegistryLineCountError) {
			await finish('failed', { failure: 'line_count' });
			return 'failed';
		}
		throw error; // the job is retried; the row stays 'applying' and the file stays
	}
}

export type RegistryApplyProgress = {
	id: string;
	fileName: string;
	status: string;
	size: number;
	bytesDone: number;
	linesDone: number;
	etaSeconds: number | null;
	importId: string | null;
};

export async function registryApplyProgress(
	db: Executor,
	input: { municipalityCode: string; uploadId: string; now: Date }
): Promise<RegistryApplyProgress | null> {
	const row = await db
		.selectFrom('registry_upload')
		.select([
			'id',
			'file_name',
			'status',
			'size',
			'bytes_done',
			'lines_done',
			'started_at',
			'applied_import_id'
		])
		.where('id', '=', input.uploadId)
		.where('municipality_code', '=', input.municipalityCode)
		.executeTakeFirst();
	if (!row) return null;
	const size = Number(row.size);
	const done = Number(row.bytes_done);
	const elapsed = row.started_at ? (input.now.getTime() - row.started_at.getTime()) / 1000 : 0;
	return {
		id: row.id,
		fileName: row.file_name,
		status: row.status,
		size,
		bytesDone: done,
		linesDone: row.lines_done,
		etaSeconds:
			row.status === 'applying' && done > 0 ? Math.round((elapsed / done) * (size - done)) : null,
		importId: row.applied_import_id
	};
}
