// Request handling for the auditor's screens: search (POST, so a 宛名番号 never sits in a URL),
// CSV export of the same filters, an on-demand chain check, and recording a review.
import { fail, type RequestEvent } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages';
import { staffActor } from '../auth/http';
import { db } from '../db';
import { toCsv } from '../csv';
import { tokyoDate } from '../time';
import { requirePermission } from '../staff/permissions';
import { recordAudit } from './record';
import {
	auditFilters,
	csvHeader,
	csvRows,
	recordReview,
	ReviewInputError,
	reviewsOf,
	searchAuditLog
} from './review';
import { checkAuditLog, checkpointFreshness, checkpointKeys } from './checkpoint';
import { config } from '../config';
import { formOf } from '../http/form';

/** This back office's checkpoints, verified with its own key and any published retired ones. */
function checkpointsOfThisDeployment() {
	const { auditCheckpoint, auditCheckpointPublicKeys } = config();
	if (!auditCheckpoint) return undefined;
	return {
		dir: auditCheckpoint.dir,
		keys: checkpointKeys(auditCheckpoint.key, auditCheckpointPublicKeys)
	};
}

export async function auditLoad(event: RequestEvent) {
	const staff = requirePermission(event.locals, 'audit.read');
	const { auditCheckpoint } = config();
	const chained = await db()
		.selectFrom('audit.entry')
		.select('seq')
		.where('municipality_code', '=', staff.municipalityCode)
		.limit(1)
		.executeTakeFirst();
	// Warn when the schedule has stopped: the newest checkpoint is older than two intervals.
	const freshness =
		auditCheckpoint && chained
			? await checkpointFreshness(auditCheckpoint.dir, staff.municipalityCode, {
					intervalSeconds: auditCheckpoint.intervalSeconds,
					now: new Date()
				})
			: null;
	return {
		reviews: await reviewsOf(db(), staff.municipalityCode),
		canReview: staff.permissions.has('audit.review'),
		today: tokyoDate(new Date()),
		checkpointMinutes: auditCheckpoint
			? Number((auditCheckpoint.intervalSeconds / 60).toFixed(1))
			: null,
		staleCheckpoints: freshness?.stale ? { newestAt: freshness.newestAt } : null
	};
}

async function filtersFrom(request: Request) {
	const form = await formOf(request);
	const raw = Object.fromEntries(
		['atena', 'actor', 'action', 'result', 'from', 'until'].map((key) => [
			key,
			String(form.get(key) ?? '').slice(0, 64)
		])
	);
	return { raw, parsed: auditFilters.safeParse(raw) };
}

const usedFilters = (filters: Record<string, string>) =>
	Object.entries(filters)
		.filter(([, value]) => value)
		.map(([key]) => key);

export async function searchAction(event: RequestEvent) {
	const staff = requirePermission(event.locals, 'audit.read');
	const { raw, parsed } = await filtersFrom(event.request);
	if (!parsed.success) return fail(400, { filters: raw, message: m.audit_filters_invalid() });
	const rows = await searchAuditLog(db(), {
		municipalityCode: staff.municipalityCode,
		filters: parsed.data,
		limit: 200
	});
	await recordAudit(db(), {
		municipalityCode: staff.municipalityCode,
		actor: staffActor(event.locals),
		context: event.locals.audit,
		action: 'audit.view',
		subjectAtenaNumber: parsed.data.atena || undefined,
		result: 'ok',
		payload: { by: usedFilters(parsed.data), rows: rows.length }
	});
	return {
		filters: raw,
		rows: rows.map((row) => ({ ...row, occurredAt: row.occurredAt.toISOString() }))
	};
}

export async function exportCsv(event: RequestEvent): Promise<Response> {
	const staff = requirePermission(event.locals, 'audit.read');
	const { parsed } = await filtersFrom(event.request);
	if (!parsed.success) return new Response(m.audit_filters_invalid(), { status: 400 });
	const rows = await searchAuditLog(db(), {
		municipalityCode: staff.municipalityCode,
		filters: parsed.data,
		limit: 10_000
	});
	await recordAudit(db(), {
		municipalityCode: staff.municipalityCode,
		actor: staffActor(event.locals),
		context: event.locals.audit,
		action: 'audit.export',
		subjectAtenaNumber: parsed.data.atena || undefined,
		result: 'ok',
		payload: { by: usedFilters(parsed.data), rows: rows.length, format: 'csv' }
	});
	return new Response(toCsv(csvHeader, csvRows(rows)), {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="audit-${tokyoDate(new Date())}.csv"`,
			'cache-control': 'private, no-store'
		}
	});
}

export async function verifyAction(event: RequestEvent) {
	const staff = requirePermission(event.locals, 'audit.read');
	const verified = await checkAuditLog(db(), {
		municipalityCode: staff.municipalityCode,
		checkpoints: checkpointsOfThisDeployment()
	});
	await recordAudit(db(), {
		municipalityCode: staff.municipalityCode,
		actor: staffActor(event.locals),
		context: event.locals.audit,
		action: 'audit.verify',
		result: 'ok',
		payload: {
			entries: verified.entries,
			intact: verified.intact,
			checkpoints: verified.checkpoints?.count ?? null
		}
	});
	return { verified };
}

export async function reviewAction(event: RequestEvent) {
	const staff = requirePermission(event.locals, 'audit.review');
	const form = await formOf(event.request);
	const input = {
		from: String(form.get('from') ?? ''),
		until: String(form.get('until') ?? ''),
		findings: String(form.get('findings') ?? '').slice(0, 4000)
	};
	try {
		const review = await recordReview(db(), {
			municipalityCode: staff.municipalityCode,
			...input,
			actor: staffActor(event.locals),
			context: event.locals.audit,
			now: new Date(),
			checkpoints: checkpointsOfThisDeployment()
		});
		return { reviewed: review };
	} catch (failure) {
		if (failure instanceof ReviewInputError) {
			return fail(400, { review: input, message: m.audit_review_invalid() });
		}
		throw failure;
	}
}
