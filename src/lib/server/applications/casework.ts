// The back office takes an action on an application: the kind's machine (case-machine.ts, one
// table per kind in applications/<kind>/) decides whether it may happen, this carries it out.
// Every action is one transaction — stage, history row, notice, audit entry — and wins only if
// the case is still as the caseworker saw it (optimistic locking on updated_at).
import { recordAudit, type Actor, type AuditContext } from '../audit/record';
import { notify } from '../notifications/notices';
import type { Executor } from '../db';
import { staffAccess } from '../auth/staff-access';
import type { Application } from './store';
import type { Wizard } from './wizard';
import { isUuid } from '../ids';
import { m } from '$lib/paraglide/messages';
import { DomainError } from '../errors';
import { decisionFacts, issueRejectionNotice, type IssueSettings } from '../documents/issue';
import {
	issueOutcomes,
	stages,
	type ActionInput,
	type CaseAction,
	type CaseMachine,
	type CaseRefusal,
	type ReturnItem,
	type Stage
} from './case-machine';
import type { GeneralCaseKind } from './case-kind';
import { generalKinds } from './kinds';
import { nextStageOf } from '../workflow/machine';
import { residentStatus } from '../workflow/status';

export { stages, issueOutcomes, type Stage, type CaseAction, type ReturnItem, type ActionInput };

/** The kinds the general case screens work on. A relief claim (健康被害救済) has its own stages,
 * role and screens (src/lib/server/relief): through the general machine an approver could reject
 * it or a caseworker complete it and read its bank account (issue 24, item 3).
 */
export const generalCaseKinds = Object.keys(generalKinds) as GeneralCaseKind['kind'][];

export function isGeneralCase(kind: string): kind is GeneralCaseKind['kind'] {
	return Object.hasOwn(generalKinds, kind);
}

function kindOf(kind: string): GeneralCaseKind {
	if (!isGeneralCase(kind)) throw new CaseError('wrong_workflow');
	return generalKinds[kind];
}

/** The actions of the kind's machine (a relief claim has none here). */
export function machineFor(kind: string): CaseMachine['actions'] {
	return kindOf(kind).machine.actions;
}

export class CaseError extends DomainError<CaseRefusal> {
	protected readonly messages = {
		forbidden: m.case_refused_forbidden,
		wrong_stage: m.case_refused_wrong_stage,
		reason_required: m.case_refused_reason,
		my_number_in_text: m.case_refused_my_number,
		items_required: m.case_return_invalid,
		not_assignee: m.case_refused_not_assignee,
		maker_checker: m.case_refused_maker_checker,
		assignee_required: m.case_refused_assignee,
		outcome_required: m.case_refused_outcome,
		conflict: m.case_conflict,
		wrong_workflow: m.error_not_found
	};
	constructor(code: CaseRefusal) {
		super(code, code === 'conflict' ? 409 : code === 'wrong_workflow' ? 404 : 400);
	}
}

export type StaffActor = Actor & { type: 'staff'; permissions: ReadonlySet<string> };

/** The next stage, or the rule that stops this actor taking this action on this case now. */
export function nextStage(
	application: Pick<Application, 'kind' | 'stage' | 'assigned_to' | 'prepared_by'>,
	actor: Pick<StaffActor, 'id' | 'permissions'>,
	input: ActionInput
): Stage {
	const step = nextStageOf(
		kindOf(application.kind).machine,
		input.action,
		application,
		actor,
		input,
		''
	);
	if ('refused' in step) throw new CaseError(step.refused);
	return step.to;
}

/** The items of a 差し戻し, checked against the request's steps: at least one, notes short. */
export function returnItems(
	wizard: Pick<Wizard, 'steps'>,
	chosen: { step: string; note: string }[]
): ReturnItem[] {
	return chosen
		.filter((item) => wizard.steps.includes(item.step) && item.step !== 'check')
		.map((item) => ({ step: item.step, note: item.note.trim().slice(0, 300) }));
}

const noticeOf: Partial<Record<CaseAction, 'application_returned' | 'application_updated'>> = {
	return: 'application_returned',
	approve: 'application_updated',
	reject: 'application_updated'
};

/**
 * Takes the action or throws a CaseError; a refusal is audited (who tried what on which case,
 * and which rule stopped them) before it is thrown.
 */
export async function applyCaseAction(
	db: Executor,
	input: ActionInput & {
		application: Application;
		actor: StaffActor;
		context: AuditContext;
		/** Where the portal is (for notices) and the key that seals certificates. */
		settings: IssueSettings;
		now: Date;
		/** The version the caseworker's form showed; another one means someone acted first. */
		seenUpdatedAt?: string;
	}
): Promise<Application> {
	const { application, actor } = input;
	// Every kind's table is caseMachine's, so any of them names the audited action — also for a
	// relief claim, which is refused (and audited as refused) below.
	const audited = generalKinds.reissue.machine.actions[input.action].audit;
	const reason = input.reason?.trim() || undefined;
	const auditBase = {
		municipalityCode: application.municipality_code,
		actor: { type: actor.type, id: actor.id, role: actor.role, department: actor.department },
		context: input.context,
		action: audited,
		subjectAtenaNumber: application.subject_atena_number ?? undefined,
		objectType: 'application',
		objectId: application.id,
		reason
	} as const;
	let to: Stage;
	try {
		// Who may act is said before whether the page was stale: a crafted request without the
		// right learns nothing about the case's state (issue 25).
		if (!actor.permissions.has(machineFor(application.kind)[input.action]?.permission ?? '')) {
			throw new CaseError('forbidden');
		}
		if (input.seenUpdatedAt && input.seenUpdatedAt !== application.updated_at.toISOString()) {
			throw new CaseError('conflict');
		}
		to = nextStage(application, actor, input);
		if (input.action === 'reassign') await checkAssignee(db, application, input.assignee!);
	} catch (failure) {
		if (failure instanceof CaseError) {
			await recordAudit(db, {
				...auditBase,
				reason: reason ?? failure.code,
				result: 'denied',
				payload: { kind: application.kind, stage: application.stage, refused: failure.code }
			});
		}
		throw failure;
	}
	const run = async (trx: Executor) => {
		const updated = await trx
			.updateTable('application')
			.set({
				stage: to,
				status: residentStatus(to),
				updated_at: input.now,
				...(input.action === 'assign' ? { assigned_to: actor.id } : {}),
				...(input.action === 'reassign' ? { assigned_to: input.assignee! } : {}),
				...(input.action === 'prepare' ? { prepared_by: actor.id, prepared_at: input.now } : {}),
				...(input.action === 'send_back' ? { prepared_by: null, prepared_at: null } : {}),
				...(input.action === 'approve' ? { approved_by: actor.id, approved_at: input.now } : {}),
				...(input.action === 'return'
					? { return_items: JSON.stringify(input.items), prepared_by: null, prepared_at: null }
					: {}),
				...(input.action === 'record_issue'
					? { issue_outcome: input.outcome as (typeof issueOutcomes)[number] }
					: {})
			})
			.where('id', '=', application.id)
			.where('stage', '=', application.stage)
			.where('updated_at', '=', application.updated_at)
			.returningAll()
			.executeTakeFirst();
		if (!updated) throw new CaseError('conflict');
		await trx
			.insertInto('application_transition')
			.values({
				application_id: application.id,
				from_status: application.status,
				to_status: residentStatus(to),
				actor_type: 'staff',
				actor_id: actor.id,
				reason: reason ?? null,
				items: input.action === 'return' ? JSON.stringify(input.items) : null,
				action: input.action,
				stage: to,
				at: input.now
			})
			.execute();
		const kind = kindOf(application.kind);
		if (kind.machine.actions[input.action].documents.length > 0) {
			// The decision's documents commit with it or not at all (a missing signing key or a
			// certificate with nothing to certify undoes the decision).
			const issued = await issueDocuments(trx, kind, {
				application: updated,
				action: input.action,
				reason: reason ?? null,
				actor: auditBase.actor,
				context: input.context,
				settings: input.settings,
				now: input.now
			});
			if (issued.length > 0) {
				await notify(trx, {
					municipalityCode: application.municipality_code,
					accountId: application.applicant_account_id,
					kind: 'document_issued',
					applicationId: application.id,
					portalUrl: `${input.settings.origin}/documents`,
					now: input.now
				});
			}
		}
		const notice = noticeOf[input.action];
		if (notice) {
			await notify(trx, {
				municipalityCode: application.municipality_code,
				accountId: application.applicant_account_id,
				kind: notice,
				applicationId: application.id,
				portalUrl: `${input.settings.origin}/sign-in`,
				now: input.now
			});
		}
		await recordAudit(trx, {
			...auditBase,
			result: 'ok',
			payload: {
				kind: application.kind,
				from: application.stage,
				to,
				items: input.items?.map((item) => item.step),
				outcome: input.outcome,
				assignee: input.assignee
			}
		});
		return updated;
	};
	try {
		return await (db.isTransaction ? run(db) : db.transaction().execute(run));
	} catch (failure) {
		if (failure instanceof CaseError) {
			await recordAudit(db, {
				...auditBase,
				reason: reason ?? failure.code,
				result: 'denied',
				payload: { kind: application.kind, stage: application.stage, refused: failure.code }
			});
		}
		throw failure;
	}
}

/**
 * Issues what the kind's row says the action issues (the approval's document, a rejection's
 * notice), and refuses to commit anything else: the table and what is issued cannot drift apart.
 */
async function issueDocuments(
	db: Executor,
	kind: GeneralCaseKind,
	input: {
		application: Application;
		action: CaseAction;
		reason: string | null;
		actor: Actor;
		context?: AuditContext;
		settings: IssueSettings;
		now: Date;
	}
) {
	const expected = kind.machine.actions[input.action].documents;
	const { application } = input;
	// A request taken on paper at the desk has no signed version to issue from.
	const facts = application.subject_atena_number ? await decisionFacts(db, input) : null;
	const issued = !facts
		? []
		: input.action === 'reject'
			? await issueRejectionNotice(db, facts, input.reason)
			: facts.payload
				? await kind.issueApproval(db, facts)
				: [];
	if (issued.length > 0 && issued.map((document) => document.kind).join() !== expected.join()) {
		throw new Error(
			`${kind.kind} ${input.action} issued ${issued.map((d) => d.kind)}, not ${expected}`
		);
	}
	return issued;
}

async function checkAssignee(db: Executor, application: Application, assignee: string) {
	const access = isUuid(assignee) ? await staffAccess(db, assignee, new Date()) : null;
	if (
		!access ||
		access.user.municipality_code !== application.municipality_code ||
		!access.permissions.has('application.process')
	) {
		throw new CaseError('assignee_required');
	}
}
