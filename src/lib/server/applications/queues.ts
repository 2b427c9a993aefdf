// The back office's work queues: counts per queue and one page of cases, sorted by received date
// or deadline, paged by keyset (the last row's sort value and id), so a deep page costs what the
// first one does even with 100k open cases.
import { sql } from 'kysely';
import type { Executor } from '../db';
import { generalCaseKinds } from './casework';
import type { Application } from './store';
import { isUuid } from '../ids';
import { sameCity } from '../db/same-city';

export const queues = ['new', 'mine', 'awaiting_approval', 'returned', 'due_soon'] as const;
export type Queue = (typeof queues)[number];
export const queuePageSize = 50;

/** The queue's condition, shared by the list and its count. */
function inQueue(queue: Queue, staffId: string, today: string) {
	switch (queue) {
		case 'new':
			return sql<boolean>`application.stage = 'new'`;
		case 'mine':
			return sql<boolean>`application.assigned_to = ${staffId}::uuid AND application.stage IN ('new', 'assigned')`;
		case 'awaiting_approval':
			return sql<boolean>`application.stage = 'awaiting_approval'`;
		case 'returned':
			return sql<boolean>`application.stage = 'returned'`;
		case 'due_soon':
			return sql<boolean>`application.stage IN ('new', 'assigned', 'awaiting_approval') AND application.due_on <= ${today}::date + 3`;
	}
}

export async function queueCounts(
	db: Executor,
	input: { municipalityCode: string; staffId: string; kind: string; today: string }
): Promise<Record<Queue, number>> {
	const row = await db
		.selectFrom('application')
		.select((eb) =>
			queues.map((name) =>
				eb.fn
					.countAll<string>()
					.filterWhere(inQueue(name, input.staffId, input.today))
					.as(name)
			)
		)
		.where('application.municipality_code', '=', input.municipalityCode)
		// Relief claims have their own queue on the relief screens.
		.where('application.kind', 'in', generalCaseKinds)
		.$if(input.kind !== '', (query) =>
			query.where('application.kind', '=', input.kind as Application['kind'])
		)
		.where('application.stage', 'in', ['new', 'assigned', 'awaiting_approval', 'returned'])
		.executeTakeFirstOrThrow();
	return Object.fromEntries(queues.map((name) => [name, Number(row[name])])) as Record<
		Queue,
		number
	>;
}

export async function queuePage(
	db: Executor,
	input: {
		municipalityCode: string;
		staffId: string;
		queue: Queue;
		kind: string;
		sort: 'received' | 'due';
		after: string;
		today: string;
	}
) {
	const sortColumn = input.sort === 'due' ? 'application.due_on' : 'application.submitted_at';
	const [afterValue, afterId] = input.after.split('|');
	const rows = await db
		.selectFrom('application')
		.leftJoin('resident', (join) =>
			sameCity(join, ['resident.atena_number', 'application.subject_atena_number'])
		)
		.leftJoin('staff_user', 'staff_user.id', 'application.assigned_to')
		.select([
			'application.id',
			'application.kind',
			'application.stage',
			'application.reference',
			'application.submitted_at',
			'application.due_on',
			'resident.name_kanji',
			'staff_user.display_name as assignee',
			// When the current version reached the portal (issue 27); submitted_at is its intake.
			sql<Date | null>`(SELECT i.arrived_at FROM application_version v
				JOIN exchange_intake i ON i.signed_act_id = v.signed_act_id
				WHERE v.application_id = application.id AND v.version = application.current_version)`.as(
				'portal_arrived_at'
			)
		])
		.where('application.municipality_code', '=', input.municipalityCode)
		// Relief claims have their own queue on the relief screens.
		.where('application.kind', 'in', generalCaseKinds)
		.$if(input.kind !== '', (query) =>
			query.where('application.kind', '=', input.kind as Application['kind'])
		)
		.where(inQueue(input.queue, input.staffId, input.today))
		.$if(Boolean(afterValue && afterId && isUuid(afterId)), (query) =>
			query.where(
				sql<boolean>`(${sql.ref(sortColumn)}, application.id) > (${afterValue}::${sql.raw(input.sort === 'due' ? 'date' : 'timestamptz')}, ${afterId}::uuid)`
			)
		)
		.orderBy(sortColumn)
		.orderBy('application.id')
		.limit(queuePageSize + 1)
		.execute();
	const page = rows.slice(0, queuePageSize);
	const last = page.at(-1);
	return {
		rows: page,
		next:
			rows.length > queuePageSize && last
				? `${input.sort === 'due' ? last.due_on : last.submitted_at?.toISOString()}|${last.id}`
				: null
	};
}
