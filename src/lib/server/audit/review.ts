// The auditor's view of the log (LOG-6, issue 5): search by person, staff, action, time and
// result; export what was found as CSV; record that a period was reviewed, with the chain's state
// at that moment and the findings. The log holds no 個人番号 (refused at write), so neither can
// the export; payloads are not exported at all.
import { sql } from 'kysely';
import { z } from 'zod';
import type { Executor } from '../db';
import { recordAudit, type Actor, type AuditContext } from './record';
import { checkAuditLog, type CheckpointKeys } from './checkpoint';

export const auditFilters = z.object({
	atena: z
		.string()
		.trim()
		.regex(/^[0-9]{0,15}$/)
		.default(''),
	actor: z.string().trim().max(64).default(''),
	action: z
		.string()
		.trim()
		.regex(/^([a-z_]+(\.[a-z_]+)*)?$/)
		.default(''),
	result: z.enum(['', 'ok', 'denied', 'error']).default(''),
	from: z
		.string()
		.regex(/^(\d{4}-\d{2}-\d{2})?$/)
		.default(''),
	until: z
		.string()
		.regex(/^(\d{4}-\d{2}-\d{2})?$/)
		.default('')
});
export type AuditFilters = z.infer<typeof auditFilters>;

export type AuditRow = {
	seq: string;
	occurredAt: Date;
	actorType: string;
	actorId: string;
	actorName: string | null;
	actorRole: string;
	department: string | null;
	action: string;
	subject: string | null;
	objectType: string | null;
	objectId: string | null;
	reason: string | null;
	result: string;
};

/** Entries matching the filters, newest first; `beforeSeq` pages further back. */
export async function searchAuditLog(
	db: Executor,
	input: { municipalityCode: string; filters: AuditFilters; limit: number; beforeSeq?: string }
): Promise<AuditRow[]> {
	const { filters } = input;
	const rows = await db
		.selectFrom('audit.entry as e')
		.leftJoin('staff_user as s', (join) =>
			join.on(sql<boolean>`e.actor_type = 'staff' AND s.id::text = e.actor_id`)
		)
		.select([
			'e.seq',
			'e.occurred_at',
			'e.actor_type',
			'e.actor_id',
			's.display_name',
			's.login_id',
			'e.actor_role',
			'e.department',
			'e.action',
			'e.subject_atena_number',
			'e.object_type',
			'e.object_id',
			'e.reason',
			'e.result'
		])
		.where('e.municipality_code', '=', input.municipalityCode)
		.$if(filters.atena !== '', (query) => query.where('e.subject_atena_number', '=', filters.atena))
		.$if(filters.actor !== '', (query) =>
			query.where((eb) =>
				eb.or([eb('e.actor_id', '=', filters.actor), eb('s.login_id', '=', filters.actor)])
			)
		)
		.$if(filters.action !== '', (query) =>
			query.where((eb) =>
				eb.or([eb('e.action', '=', filters.action), eb('e.action', 'like', `${filters.action}.%`)])
			)
		)
		.$if(filters.result !== '', (query) => query.where('e.result', '=', filters.result))
		.$if(filters.from !== '', (query) =>
			query.where(
				'e.occurred_at',
				'>=',
				sql<Date>`(${filters.from}::date)::timestamp AT TIME ZONE 'Asia/Tokyo'`
			)
		)
		.$if(filters.until !== '', (query) =>
			query.where(
				'e.occurred_at',
				'<',
				sql<Date>`(${filters.until}::date + 1)::timestamp AT TIME ZONE 'Asia/Tokyo'`
			)
		)
		.$if(Boolean(input.beforeSeq && /^[0-9]+$/.test(input.beforeSeq)), (query) =>
			query.where('e.seq', '<', input.beforeSeq!)
		)
		.orderBy('e.seq', 'desc')
		.limit(input.limit)
		.execute();
	return rows.map((row) => ({
		seq: String(row.seq),
		occurredAt: row.occurred_at,
		actorType: row.actor_type,
		actorId: row.actor_id,
		actorName: row.display_name ? `${row.display_name} (${row.login_id})` : null,
		actorRole: row.actor_role,
		department: row.department,
		action: row.action,
		subject: row.subject_atena_number,
		objectType: row.object_type,
		objectId: row.object_id,
		reason: row.reason,
		result: row.result
	}));
}

export const csvHeader = [
	'seq',
	'occurred_at',
	'actor_type',
	'actor',
	'role',
	'department',
	'action',
	'atena_number',
	'object_type',
	'object_id',
	'reason',
	'result'
];

export function csvRows(rows: AuditRow[]) {
	return rows.map((row) => [
		row.seq,
		row.occurredAt,
		row.actorType,
		row.actorName ?? row.actorId,
		row.actorRole,
		row.department,
		row.action,
		row.subject,
		row.objectType,
		row.objectId,
		row.reason,
		row.result
	]);
}

export class ReviewInputError extends Error {
	override name = 'ReviewInputError';
}

/**
 * Records that a period was reviewed: how many entries and refusals it held, whether the chain
 * verified at that moment, and the findings. The review is itself audited.
 */
export async function recordReview(
	db: Executor,
	input: {
		municipalityCode: string;
		from: string;
		until: string;
		findings: string;
		actor: Actor;
		context: AuditContext;
		now: Date;
		checkpoints?: { dir: string; keys: CheckpointKeys };
	}
) {
	const findings = input.findings.trim();
	if (!findings || !input.from || !input.until || input.from > input.until) {
		throw new ReviewInputError('period and findings are required');
	}
	const report = await checkAuditLog(db, {
		municipalityCode: input.municipalityCode,
		checkpoints: input.checkpoints
	});
	const { rows } = await sql<{ entries: number; denied: number }>`
		SELECT count(*)::int AS entries, count(*) FILTER (WHERE result <> 'ok')::int AS denied
		FROM audit.entry WHERE municipality_code = ${input.municipalityCode}
			AND occurred_at >= (${input.from}::date)::timestamp AT TIME ZONE 'Asia/Tokyo'
			AND occurred_at < (${input.until}::date + 1)::timestamp AT TIME ZONE 'Asia/Tokyo'`.execute(db);
	const counts = rows[0]!;
	const review = await db
		.insertInto('audit.review')
		.values({
			municipality_code: input.municipalityCode,
			period_from: input.from,
			period_until: input.until,
			reviewed_by: input.actor.id,
			reviewed_at: input.now,
			entries: counts.entries,
			denied: counts.denied,
			chain_intact: report.intact,
			findings
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	await recordAudit(db, {
		municipalityCode: input.municipalityCode,
		actor: input.actor,
		context: input.context,
		action: 'audit.review',
		objectType: 'audit_review',
		objectId: String(review.id),
		result: 'ok',
		payload: {
			from: input.from,
			until: input.until,
			entries: counts.entries,
			chain_intact: report.intact,
			checkpoints: report.checkpoints?.count ?? null
		}
	});
	return {
		id: String(review.id),
		...counts,
		chainIntact: report.intact,
		firstBreak: report.firstBreak
	};
}

export async function reviewsOf(db: Executor, municipalityCode: string) {
	const rows = await db
		.selectFrom('audit.review as r')
		.leftJoin('staff_user as s', (join) => join.on(sql<boolean>`s.id::text = r.reviewed_by`))
		.select([
			'r.id',
			'r.period_from',
			'r.period_until',
			'r.reviewed_at',
			'r.entries',
			'r.denied',
			'r.chain_intact',
			'r.findings',
			's.display_name'
		])
		.where('r.municipality_code', '=', municipalityCode)
		.orderBy('r.period_until', 'desc')
		.limit(24)
		.execute();
	return rows.map((row) => ({
		id: String(row.id),
		from: row.period_from,
		until: row.period_until,
		at: row.reviewed_at.toISOString(),
		entries: row.entries,
		denied: row.denied,
		chainIntact: row.chain_intact,
		findings: row.findings,
		by: row.display_name ?? ''
	}));
}
