// The back office's state machine for applications (issue 5; STYLE.md: a table of from → to,
// the permission needed, whether a reason is required). The staff stage sits under the status
// the resident sees: new is 送信済; assigned and awaiting approval are 処理中. Maker ≠ checker
// (ACC-1) is a rule of this module, not of a page: whoever prepared a case cannot approve it.
// Every action is one transaction — stage, history row, notice, audit entry — and wins only if
// the case is still as the caseworker saw it (optimistic locking on updated_at).
import { recordAudit, type Actor, type AuditContext } from '../audit/record';
import type { AuditAction } from '../audit/actions';
import { notify } from '../notifications/notices';
import type { Executor } from '../db';
import { staffAccess } from '../auth/staff-access';
import { findMyNumbers } from '../mynumber/check-digit';
import type { Status } from './status';
import type { Application } from './store';
import type { Wizard } from './wizard';
import { isUuid } from '../ids';
import { m } from '$lib/paraglide/messages';
import { DomainError } from '../errors';
import { issueDecisionDocuments, type IssueSettings } from '../documents/issue';

export const stages = [
	'draft',
	'new',
	'assigned',
	'awaiting_approval',
	'returned',
	'completed',
	'rejected',
	'withdrawn'
] as const;
export type Stage = (typeof stages)[number];

export const statusOfStage: Record<Stage, Status> = {
	draft: 'draft',
	new: 'submitted',
	assigned: 'in_review',
	awaiting_approval: 'in_review',
	returned: 'returned',
	completed: 'completed',
	rejected: 'rejected',
	withdrawn: 'withdrawn'
};

export type CaseAction =
	| 'assign'
	| 'reassign'
	| 'prepare'
	| 'send_back'
	| 'approve'
	| 'reject'
	| 'return'
	| 'record_issue';

type Rule = {
	from: readonly Stage[];
	to: Stage;
	permission: string;
	reason: boolean;
	audit: AuditAction;
};

/**
 * The machine the 予診票, certificate and 実施依頼書 requests share. (Relief adds its committee
 * and 進達 stages with the relief issue.) `to` of reassign and record_issue is the stage itself.
 */
export const standardMachine: Record<CaseAction, Rule> = {
	assign: {
		from: ['new'],
		to: 'assigned',
		permission: 'application.process',
		reason: false,
		audit: 'application.assign'
	},
	reassign: {
		from: ['new', 'assigned', 'awaiting_approval'],
		to: 'assigned',
		permission: 'application.approve',
		reason: true,
		audit: 'application.reassign'
	},
	prepare: {
		from: ['assigned'],
		to: 'awaiting_approval',
		permission: 'application.process',
		reason: false,
		audit: 'application.prepare'
	},
	send_back: {
		from: ['awaiting_approval'],
		to: 'assigned',
		permission: 'application.approve',
		reason: true,
		audit: 'application.send_back'
	},
	approve: {
		from: ['awaiting_approval'],
		to: 'completed',
		permission: 'application.approve',
		reason: false,
		audit: 'application.approve'
	},
	reject: {
		from: ['new', 'assigned', 'awaiting_approval'],
		to: 'rejected',
		permission: 'application.approve',
		reason: true,
		audit: 'application.reject'
	},
	return: {
		from: ['new', 'assigned'],
		to: 'returned',
		permission: 'application.process',
		reason: true,
		audit: 'application.return'
	},
	record_issue: {
		from: ['completed'],
		to: 'completed',
		permission: 'document.issue',
		reason: false,
		audit: 'application.issue'
	}
};

/**
 * The kinds the general case screens work on. A relief claim (健康被害救済) has its own stages,
 * role and screens (src/lib/server/relief): through the general machine an approver could reject
 * it or a caseworker complete it and read its bank account (issue 24, item 3).
 */
export const generalCaseKinds = ['reissue', 'certificate', 'outside_request'] as const;

export function isGeneralCase(kind: string): boolean {
	return (generalCaseKinds as readonly string[]).includes(kind);
}

export function machineFor(kind: string): Record<CaseAction, Rule> {
	if (!isGeneralCase(kind)) throw new CaseError('wrong_workflow');
	return standardMachine;
}

export type CaseRefusal =
	| 'forbidden'
	| 'wrong_stage'
	| 'reason_required'
	| 'my_number_in_text'
	| 'items_required'
	| 'not_assignee'
	| 'maker_checker'
	| 'assignee_required'
	| 'outcome_required'
	| 'conflict'
	| 'wrong_workflow';

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
export type ReturnItem = { step: string; note: string };
export const issueOutcomes = ['mailed', 'handed_over', 'downloaded'] as const;

export type ActionInput = {
	action: CaseAction;
	reason?: string;
	items?: ReturnItem[];
	/** reassign: to whom (an active staff member of the city with application.process). */
	assignee?: string;
	outcome?: string;
};

/** The next stage, or the rule that stops this actor taking this action on this case now. */
export function nextStage(
	application: Pick<Application, 'kind' | 'stage' | 'assigned_to' | 'prepared_by'>,
	actor: Pick<StaffActor, 'id' | 'permissions'>,
	input: ActionInput
): Stage {
	const rule = machineFor(application.kind)[input.action];
	if (!actor.permissions.has(rule.permission)) throw new CaseError('forbidden');
	if (!rule.from.includes(application.stage as Stage)) throw new CaseError('wrong_stage');
	if (rule.reason && !input.reason?.trim()) throw new CaseError('reason_required');
	// What staff type here reaches the resident's page, their notice and the audit log, none of
	// which may hold a 個人番号.
	const texts = [input.reason ?? '', ...(input.items ?? []).map((item) => item.note)];
	if (texts.some((text) => findMyNumbers(text).length > 0)) {
		throw new CaseError('my_number_in_text');
	}
	switch (input.action) {
		case 'reassign':
			if (!input.assignee) throw new CaseError('assignee_required');
			break;
		case 'prepare':
			if (application.assigned_to !== actor.id) throw new CaseError('not_assignee');
			break;
		case 'approve':
			if (application.prepared_by === actor.id) throw new CaseError('maker_checker');
			break;
		case 'return':
			if (!input.items?.length) throw new CaseError('items_required');
			if (application.stage === 'assigned' && application.assigned_to !== actor.id) {
				throw new CaseError('not_assignee');
			}
			break;
		case 'record_issue':
			if (!issueOutcomes.includes(input.outcome as (typeof issueOutcomes)[number])) {
				throw new CaseError('outcome_required');
			}
			break;
	}
	return rule.to;
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
	// The general rule names the audited action; nextStage refuses (and this audits) other kinds.
	const rule = standardMachine[input.action];
	const reason = input.reason?.trim() || undefined;
	const auditBase = {
		municipalityCode: application.municipality_code,
		actor: { type: actor.type, id: actor.id, role: actor.role, department: actor.department },
		context: input.context,
		action: rule.audit,
		subjectAtenaNumber: application.subject_atena_number ?? undefined,
		objectType: 'application',
		objectId: application.id,
		reason
	} as const;
	let to: Stage;
	try {
		// Who may act is said before whether the page was stale: a crafted request without the
		// right learns nothing about the case's state (issue 25).
		if (!actor.permissions.has(machineFor(application.kind)[input.action].permission)) {
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
				status: statusOfStage[to],
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
				to_status: statusOfStage[to],
				actor_type: 'staff',
				actor_id: actor.id,
				reason: reason ?? null,
				items: input.action === 'return' ? JSON.stringify(input.items) : null,
				action: input.action,
				stage: to,
				at: input.now
			})
			.execute();
		if (input.action === 'approve' || input.action === 'reject') {
			// The decision's documents commit with it or not at all (a missing signing key or a
			// certificate with nothing to certify undoes the decision).
			const issued = await issueDecisionDocuments(trx, {
				application: updated,
				decision: input.action,
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
