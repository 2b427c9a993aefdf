// The staff screen of the 住基 異動 import: upload a file, see its dry run (counts, refused lines,
// the first changes), then apply that same file — kept for a day between the two (RET-5), applied
// by the job worker with a progress bar and a cancel button, its bytes dropped once applied — and
// the list of earlier runs. Large files go through the CLI
// (npm run registry:import), which streams them.
import { Readable } from 'node:stream';
import { error, fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { messageFor } from '$lib/messages';
import { m } from '$lib/paraglide/messages';
import { recordAudit } from '../audit/record';
import { staffActor } from '../auth/http';
import { db } from '../db';
import { requirePermission } from '../staff/permissions';
import {
	importRegistryFeed,
	RegistryHeaderError,
	RegistryLineCountError,
	type ImportReport
} from './registry-import';
import { cancelRegistryApply, queueRegistryApply, registryApplyProgress } from './registry-jobs';
import { jobs } from '../jobs/runtime';
import { formOf } from '../http/form';
import { isUuid } from '../ids';

const permission = 'registry.import';
const maxUploadBytes = 30 * 1024 * 1024;
const keepUploadHours = 24;

const shown = (report: Pick<ImportReport, 'errors' | 'changes'>) => ({
	errors: report.errors.slice(0, 200).map((refused) => ({
		line: refused.line,
		field: refused.field,
		message: messageFor(`registry_error_${refused.code}`)
	})),
	changes: report.changes.slice(0, 200)
});

export async function registryLoad(event: RequestEvent) {
	const staff = requirePermission(event.locals, permission);
	const now = new Date();
	// Files kept for applying later expire after a day (RET-5); a job in progress keeps its own.
	await db()
		.deleteFrom('registry_upload')
		.where('expires_at', '<', now)
		.where('status', 'not in', ['queued', 'applying'])
		.execute();
	const runs = await db()
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
		.where('municipality_code', '=', staff.municipalityCode)
		.orderBy('started_at', 'desc')
		.limit(30)
		.execute();
	await recordAudit(db(), {
		municipalityCode: staff.municipalityCode,
		actor: staffActor(event.locals),
		context: event.locals.audit,
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
		applying: await applyingUpload(event, staff.municipalityCode, now)
	};
}

/** The upload this page follows (the one just applied), while it runs and once it is done. */
async function applyingUpload(event: RequestEvent, municipalityCode: string, now: Date) {
	const id = event.url.searchParams.get('upload');
	if (!id || !isUuid(id)) return null;
	return registryApplyProgress(db(), { municipalityCode, uploadId: id, now });
}

export async function dryRunAction(event: RequestEvent) {
	const staff = requirePermission(event.locals, permission);
	const form = await formOf(event.request);
	const file = form.get('file');
	if (!(file instanceof File) || file.size === 0)
		return fail(400, { message: m.registry_file_required() });
	if (file.size > maxUploadBytes) return fail(400, { message: m.registry_file_too_large() });
	const bytes = Buffer.from(await file.arrayBuffer());
	const now = new Date();
	let report: ImportReport;
	try {
		report = await importRegistryFeed(db(), {
			municipalityCode: staff.municipalityCode,
			fileName: file.name.slice(0, 255),
			source: Readable.from([bytes]),
			dryRun: true,
			actor: staffActor(event.locals),
			context: event.locals.audit,
			now
		});
	} catch (failure) {
		if (failure instanceof RegistryHeaderError) return fail(400, { message: m.registry_header() });
		if (failure instanceof RegistryLineCountError) {
			return fail(400, {
				message: m.registry_line_count({ file: failure.fileLines, read: failure.accounted })
			});
		}
		throw failure;
	}
	const upload = await db()
		.insertInto('registry_upload')
		.values({
			municipality_code: staff.municipalityCode,
			file_name: file.name.slice(0, 255),
			bytes,
			size: bytes.length,
			uploaded_by: staff.id,
			dry_run_id: report.id,
			expires_at: new Date(now.getTime() + keepUploadHours * 3_600_000)
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	return {
		dryRun: {
			uploadId: upload.id,
			fileName: file.name,
			lines: report.lines,
			counts: report.counts,
			errorCount: report.errorCount,
			guardianships: report.guardianships,
			...shown(report)
		}
	};
}

export async function applyAction(event: RequestEvent) {
	const staff = requirePermission(event.locals, permission);
	const form = await formOf(event.request);
	const id = String(form.get('upload') ?? '');
	if (!isUuid(id)) error(404, m.error_not_found());
	// Queued once: a double tap (or a second tab) finds it no longer waiting.
	const queued = await queueRegistryApply(db(), {
		municipalityCode: staff.municipalityCode,
		uploadId: id,
		now: new Date()
	});
	if (!queued) return fail(410, { message: m.registry_upload_gone() });
	await (await jobs()).enqueueRegistryApply(id);
	redirect(303, `/staff/registry?upload=${id}`);
}

export async function cancelAction(event: RequestEvent) {
	const staff = requirePermission(event.locals, permission);
	const id = String((await formOf(event.request)).get('upload') ?? '');
	if (!isUuid(id)) error(404, m.error_not_found());
	const asked = await cancelRegistryApply(db(), {
		municipalityCode: staff.municipalityCode,
		uploadId: id
	});
	if (!asked) return fail(409, { message: m.registry_cancel_too_late() });
	redirect(303, `/staff/registry?upload=${id}`);
}
