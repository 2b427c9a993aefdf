// Applications as the back office publishes them to the portal zone (issue 27, docs/zones.md): an
// account's list of what it has sent, and each sent application's page — status, reference,
// history, the 差し戻し items, a relief claim's stages as the resident may see them. A draft is
// not published (it is the portal's own). The 宛名番号 stays here: the person an application is
// about is the applicant account's opaque reference.
import { sql } from 'kysely';
import type { AuditContext, AuditEvent } from '../audit/record';
import type { Executor } from '../db';
import { isUuid } from '../ids';
import { reliefTimeline } from '../relief/timeline';
import { personRef } from '../residents/household';
import { keptFromPortal } from '../residents/projection';
import type { ApplicationView, ProjectedApplicationRow } from '../zone/shapes';
import { withdrawableIn } from './store';

/** How many of an account's newest applications its list shows. */
const applicationsListed = 50;

/** Each account's sent applications, newest first (accounts with none: an empty list). */
export async function applicationRows(
	db: Executor,
	accountIds: readonly string[]
): Promise<Map<string, ProjectedApplicationRow[]>> {
	const lists = new Map<string, ProjectedApplicationRow[]>(accountIds.map((id) => [id, []]));
	if (accountIds.length === 0) return lists;
	const rows = await db
		.selectFrom((eb) =>
			eb
				.selectFrom('application')
				.select([
					'application.id',
					'application.applicant_account_id',
					'application.kind',
					'application.status',
					'application.reference',
					'application.subject_atena_number',
					'application.updated_at',
					sql<number>`row_number() OVER (PARTITION BY applicant_account_id ORDER BY updated_at DESC, id)`.as(
						'newest'
					)
				])
				.where('application.applicant_account_id', 'in', accountIds)
				.where('application.status', '<>', 'draft')
				.as('sent')
		)
		.innerJoin('resident_account as account', 'account.id', 'sent.applicant_account_id')
		.select([
			'sent.id',
			'sent.applicant_account_id',
			'sent.kind',
			'sent.status',
			'sent.reference',
			'sent.subject_atena_number',
			'sent.updated_at',
			'account.user_handle'
		])
		.where('sent.newest', '<=', applicationsListed)
		.orderBy('sent.updated_at', 'desc')
		.orderBy('sent.id')
		.execute();
	for (const row of rows)
		lists.get(row.applicant_account_id)?.push({
			id: row.id,
			kind: row.kind,
			status: row.status,
			reference: row.reference,
			ref: row.subject_atena_number ? personRef(row.user_handle, row.subject_atena_number) : null,
			updatedAt: row.updated_at.toISOString()
		});
	return lists;
}

/** The pages of the applications named; null for a draft or one that is gone. */
export async function applicationViews(
	db: Executor,
	ids: readonly string[]
): Promise<Map<string, ApplicationView | null>> {
	const views = new Map<string, ApplicationView | null>(ids.map((id) => [id, null]));
	const wanted = ids.filter(isUuid);
	if (wanted.length === 0) return views;
	const applications = await db
		.selectFrom('application')
		.innerJoin('resident_account as account', 'account.id', 'application.applicant_account_id')
		.select([
			'application.id',
			'application.applicant_account_id',
			'application.kind',
			'application.status',
			'application.reference',
			'application.subject_atena_number',
			'application.current_version',
			'application.submitted_at',
			'application.updated_at',
			'application.return_items',
			'account.user_handle'
		])
		.where('application.id', 'in', wanted)
		.where('application.status', '<>', 'draft')
		.execute();
	if (applications.length === 0) return views;
	const [transitions, reliefs] = await Promise.all([
		db
			.selectFrom('application_transition')
			.select(['application_id', 'to_status', 'actor_type', 'reason', 'items', 'at'])
			.where(
				'application_id',
				'in',
				applications.map((application) => application.id)
			)
			.orderBy('at')
			.orderBy('id')
			.execute(),
		// A relief claim's stages: a few claims a round, each read as its page reads it.
		Promise.all(
			applications.map((application) =>
				application.kind === 'relief' ? reliefTimeline(db, application.id) : null
			)
		)
	]);
	applications.forEach((application, index) => {
		const relief = reliefs[index] ?? null;
		views.set(application.id, {
			account: application.applicant_account_id,
			ref: application.subject_atena_number
				? personRef(application.user_handle, application.subject_atena_number)
				: null,
			kind: application.kind,
			status: application.status,
			reference: application.reference,
			version: application.current_version,
			submittedAt: application.submitted_at?.toISOString() ?? null,
			updatedAt: application.updated_at.toISOString(),
			withdrawable: withdrawableIn(application, relief?.stage ?? null),
			returnItems:
				application.status === 'returned' && Array.isArray(application.return_items)
					? (application.return_items as { step: string; note: string }[]).map((item) => ({
							step: String(item.step),
							note: String(item.note ?? '')
						}))
					: [],
			history: transitions
				.filter((row) => row.application_id === application.id)
				.map((row) => ({
					to: row.to_status,
					by: row.actor_type,
					reason: row.reason,
					items: Array.isArray(row.items) ? row.items.length : 0,
					at: row.at.toISOString()
				})),
			relief
		});
	});
	return views;
}

/**
 * The audit entries of what the applications pages reported they showed (issue 27): the list
 * with its row count, or one application's page — checked here to be the account's own, about
 * a person it represents or has represented (a page may have shown a child whose link ended a
 * moment before the report arrived); any other id is a refused look, which leaves a trace.
 */
export async function applicationViewAudits(
	db: Executor,
	account: { id: string; municipality_code: string },
	input: {
		page: 'applications' | 'application';
		rows?: number;
		applicationId?: string;
		context?: AuditContext;
		portalSeq: string;
	}
): Promise<AuditEvent[]> {
	const base = {
		municipalityCode: account.municipality_code,
		actor: { type: 'resident' as const, id: account.id, role: 'resident' as const },
		context: input.context
	};
	if (input.page === 'applications')
		return [
			{
				...base,
				action: 'application.list',
				result: 'ok',
				payload: { applications: input.rows ?? 0, portalSeq: input.portalSeq }
			}
		];
	const id = input.applicationId ?? '';
	const own = isUuid(id)
		? await db
				.selectFrom('application')
				.select(['id', 'subject_atena_number'])
				.where('id', '=', id)
				.where('applicant_account_id', '=', account.id)
				.executeTakeFirst()
		: undefined;
	return [
		{
			...base,
			action: 'application.view',
			...(own?.subject_atena_number ? { subjectAtenaNumber: own.subject_atena_number } : {}),
			objectType: 'application',
			objectId: own ? own.id : keptFromPortal(id),
			result: own ? 'ok' : 'denied',
			payload: own
				? { portalSeq: input.portalSeq }
				: { reason: 'not_own_or_not_represented', portalSeq: input.portalSeq }
		}
	];
}
