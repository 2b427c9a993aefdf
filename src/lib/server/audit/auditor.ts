// The auditor's doors: the overview (reviews, checkpoint freshness), a search of the log (by
// POST, so a 宛名番号 never sits in a URL), the same as CSV, an on-demand chain check, and a
// review of a period recorded. Each is itself audited.
import { m } from '$lib/paraglide/messages';
import { config } from '../config';
import { toCsv } from '../csv';
import type { Executor } from '../db';
import { DomainError } from '../errors';
import { tokyoDate } from '../time';
import { actorOf, auditAs, requirePermission, type Caller } from './caller';
import { checkAuditLog, checkpointFreshness, checkpointKeys } from './checkpoint';
import {
	auditFilters,
	csvHeader,
	csvRows,
	recordReview,
	ReviewInputError,
	reviewsOf,
	searchAuditLog
} from './review';

export class AuditorInputError extends DomainError<'filters_invalid' | 'review_invalid'> {
	protected readonly messages = {
		filters_invalid: m.audit_filters_invalid,
		review_invalid: m.audit_review_invalid
	};
}

/** This back office's checkpoints, verified with its own key and any published retired ones. */
function checkpointsOfThisDeployment() {
	const { auditCheckpoint, auditCheckpointPublicKeys } = config();
	if (!auditCheckpoint) return undefined;
	return {
		dir: auditCheckpoint.dir,
		keys: checkpointKeys(auditCheckpoint.key, auditCheckpointPublicKeys)
	};
}

/**
 * The reviews so far and whether the signed checkpoints are being written.
 * @audit none — the reviews and the checkpoint schedule, no entry of the log is shown
 */
export async function auditOverview(db: Executor, caller: Caller, now = new Date()) {
	requirePermission(caller, 'audit.read');
	const { auditCheckpoint } = config();
	const chained = await db
		.selectFrom('audit.entry')
		.select('seq')
		.where('municipality_code', '=', caller.municipalityCode)
		.limit(1)
		.executeTakeFirst();
	// Warn when the schedule has stopped: the newest checkpoint is older than two intervals.
	const freshness =
		auditCheckpoint && chained
			? await checkpointFreshness(auditCheckpoint.dir, caller.municipalityCode, {
					intervalSeconds: auditCheckpoint.intervalSeconds,
					now
				})
			: null;
	return {
		reviews: await reviewsOf(db, caller.municipalityCode),
		canReview: caller.permissions.has('audit.review'),
		today: tokyoDate(now),
		checkpointMinutes: auditCheckpoint
			? Number((auditCheckpoint.intervalSeconds / 60).toFixed(1))
			: null,
		staleCheckpoints: freshness?.stale ? { newestAt: freshness.newestAt } : null
	};
}

const usedFilters = (filters: Record<string, string>) =>
	Object.entries(filters)
		.filter(([, value]) => value)
		.map(([key]) => key);

async function search(
	db: Executor,
	caller: Caller,
	filters: Record<string, string>,
	use: 'view' | 'export'
) {
	requirePermission(caller, 'audit.read');
	const parsed = auditFilters.safeParse(filters);
	if (!parsed.success) throw new AuditorInputError('filters_invalid');
	const rows = await searchAuditLog(db, {
		municipalityCode: caller.municipalityCode,
		filters: parsed.data,
		limit: use === 'view' ? 200 : 10_000
	});
	await auditAs(db, caller, {
		action: use === 'view' ? 'audit.view' : 'audit.export',
		subjectAtenaNumber: parsed.data.atena || undefined,
		result: 'ok',
		payload: {
			by: usedFilters(parsed.data),
			rows: rows.length,
			...(use === 'export' ? { format: 'csv' } : {})
		}
	});
	return rows;
}

/** Entries matching the filters (who, whose, what, result, when), newest first. */
export async function searchAudit(db: Executor, caller: Caller, filters: Record<string, string>) {
	const rows = await search(db, caller, filters, 'view');
	return rows.map((row) => ({ ...row, occurredAt: row.occurredAt.toISOString() }));
}

/** The same search as a CSV file. */
export async function exportAudit(
	db: Executor,
	caller: Caller,
	filters: Record<string, string>,
	now = new Date()
) {
	const rows = await search(db, caller, filters, 'export');
	return {
		fileName: `audit-${tokyoDate(now)}.csv`,
		contentType: 'text/csv; charset=utf-8',
		content: toCsv(csvHeader, csvRows(rows))
	};
}

/** The chain checked now, against the signed checkpoints where there are any. */
export async function verifyAudit(db: Executor, caller: Caller) {
	requirePermission(caller, 'audit.read');
	const verified = await checkAuditLog(db, {
		municipalityCode: caller.municipalityCode,
		checkpoints: checkpointsOfThisDeployment()
	});
	await auditAs(db, caller, {
		action: 'audit.verify',
		result: 'ok',
		payload: {
			entries: verified.entries,
			intact: verified.intact,
			checkpoints: verified.checkpoints?.count ?? null
		}
	});
	return verified;
}

/** A period reviewed, with its findings (the review is itself audited by recordReview). */
export async function reviewPeriod(
	db: Executor,
	caller: Caller,
	input: { from: string; until: string; findings: string },
	now = new Date()
) {
	requirePermission(caller, 'audit.review');
	try {
		return await recordReview(db, {
			municipalityCode: caller.municipalityCode,
			...input,
			actor: actorOf(caller),
			context: caller.context!,
			now,
			checkpoints: checkpointsOfThisDeployment()
		});
	} catch (failure) {
		if (failure instanceof ReviewInputError) throw new AuditorInputError('review_invalid');
		throw failure;
	}
}
