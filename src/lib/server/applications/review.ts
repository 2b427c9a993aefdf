// What the back office does to an application as the resident sees it (DOMAIN.md §4): take it
// into review, return it (差し戻し) with a structured list of what to correct, complete or reject
// it. Each change is one transaction — status, history row, notice and audit entry — and only
// wins if the application is still in the state the caseworker saw (a second click, or a
// colleague acting first, finds the state changed and changes nothing).
import { recordAudit, type Actor, type AuditContext } from '../audit/record';
import { notify } from '../auth/notices';
import type { Executor } from '../db';
import type { Application } from './store';
import { nextStatus, TransitionError, type Status } from './status';
import type { Wizard } from './wizard';

export type ReturnItem = { step: string; note: string };
export type StaffAction = 'start_review' | 'return' | 'complete' | 'reject';

const auditActionOf = {
	start_review: 'application.start_review',
	return: 'application.return',
	complete: 'application.approve',
	reject: 'application.reject'
} as const;

export class ReviewConflictError extends Error {
	override name = 'ReviewConflictError';
}

/** The items of a 差し戻し, checked against the request's steps: at least one, notes short. */
export function returnItems(
	wizard: Pick<Wizard, 'steps'>,
	chosen: { step: string; note: string }[]
): ReturnItem[] {
	const items = chosen
		.filter((item) => wizard.steps.includes(item.step) && item.step !== 'check')
		.map((item) => ({ step: item.step, note: item.note.trim().slice(0, 300) }));
	if (items.length === 0) throw new TransitionError('a return needs at least one item');
	return items;
}

export async function staffTransition(
	db: Executor,
	input: {
		application: Application;
		action: StaffAction;
		reason?: string;
		items?: ReturnItem[];
		actor: Actor;
		context: AuditContext;
		portalUrl?: string;
		now: Date;
	}
): Promise<Application> {
	const { application } = input;
	const from = application.status as Status;
	const reason = input.reason?.trim() || undefined;
	const to = nextStatus(from, { by: 'staff', action: input.action }, reason);
	const run = async (trx: Executor) => {
		const updated = await trx
			.updateTable('application')
			.set({
				status: to,
				updated_at: input.now,
				return_items: input.action === 'return' ? JSON.stringify(input.items ?? []) : null
			})
			.where('id', '=', application.id)
			.where('status', '=', from)
			.where('updated_at', '=', application.updated_at)
			.returningAll()
			.executeTakeFirst();
		if (!updated) throw new ReviewConflictError('the application changed meanwhile');
		await trx
			.insertInto('application_transition')
			.values({
				application_id: application.id,
				from_status: from,
				to_status: to,
				actor_type: 'staff',
				actor_id: input.actor.id,
				reason: reason ?? null,
				items: input.action === 'return' ? JSON.stringify(input.items ?? []) : null,
				at: input.now
			})
			.execute();
		if (input.action !== 'start_review') {
			await notify(trx, {
				municipalityCode: application.municipality_code,
				accountId: application.applicant_account_id,
				kind: input.action === 'return' ? 'application_returned' : 'application_updated',
				applicationId: application.id,
				portalUrl: input.portalUrl,
				now: input.now
			});
		}
		await recordAudit(trx, {
			municipalityCode: application.municipality_code,
			actor: input.actor,
			context: input.context,
			action: auditActionOf[input.action],
			subjectAtenaNumber: application.subject_atena_number ?? undefined,
			objectType: 'application',
			objectId: application.id,
			reason,
			result: 'ok',
			payload: {
				kind: application.kind,
				from,
				to,
				items: input.items?.map((item) => item.step)
			}
		});
		return updated;
	};
	return db.isTransaction ? run(db) : db.transaction().execute(run);
}
