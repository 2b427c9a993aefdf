// The back office's machine for the 予診票, certificate and 実施依頼書 requests (issue 5), in the
// one shape every case type shares (workflow/machine.ts). The stage sits under the status the
// resident sees (residentStatus in status.ts): new is 送信済; assigned and awaiting approval are
// 処理中. Maker ≠ checker (ACC-1) is a row of the table: whoever prepared a case cannot approve it.
// Each kind (applications/reissue/, certificate/, outside-request/) takes this table with the
// document its approval issues.
import type { DocumentKind } from '../documents/registry';
import { findMyNumbers } from '../mynumber/check-digit';
import type { Machine } from '../workflow/machine';
import { stages, type Stage } from '../workflow/status';

export { stages, type Stage };

export type CaseAction =
	| 'assign'
	| 'reassign'
	| 'prepare'
	| 'send_back'
	| 'approve'
	| 'reject'
	| 'return'
	| 'record_issue';

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

/** What the machine reads of a case. */
export type CaseSubject = {
	stage: string;
	assigned_to: string | null;
	prepared_by: string | null;
};

export type CaseMachine = Machine<Stage, CaseAction, CaseSubject, ActionInput, CaseRefusal>;

// What staff type here reaches the resident's page, their notice and the audit log, none of
// which may hold a 個人番号: every row asks it of the reason and the 差し戻し notes.
const noMyNumber = (input: ActionInput): CaseRefusal | null =>
	[input.reason ?? '', ...(input.items ?? []).map((item) => item.note)].some(
		(text) => findMyNumbers(text).length > 0
	)
		? 'my_number_in_text'
		: null;

const heldBy = (subject: CaseSubject, actorId: string) => subject.assigned_to === actorId;

/** The table, with what an approval issues for the kind (a rejection issues its notice). */
export function caseMachine(approvalDocuments: readonly DocumentKind[]): CaseMachine {
	return {
		closed: ['completed', 'rejected', 'withdrawn'],
		actions: {
			assign: {
				from: ['new'],
				to: 'assigned',
				permission: 'application.process',
				reason: false,
				needs: noMyNumber,
				audit: 'application.assign',
				documents: []
			},
			reassign: {
				from: ['new', 'assigned', 'awaiting_approval'],
				to: 'assigned',
				permission: 'application.approve',
				reason: 'reason_required',
				needs: (input) => noMyNumber(input) ?? (input.assignee ? null : 'assignee_required'),
				audit: 'application.reassign',
				documents: []
			},
			prepare: {
				from: ['assigned'],
				to: 'awaiting_approval',
				permission: 'application.process',
				reason: false,
				needs: (input, subject, by) =>
					noMyNumber(input) ?? (heldBy(subject, by.actorId) ? null : 'not_assignee'),
				audit: 'application.prepare',
				documents: []
			},
			send_back: {
				from: ['awaiting_approval'],
				to: 'assigned',
				permission: 'application.approve',
				reason: 'reason_required',
				needs: noMyNumber,
				audit: 'application.send_back',
				documents: []
			},
			approve: {
				from: ['awaiting_approval'],
				to: 'completed',
				permission: 'application.approve',
				reason: false,
				checks: { field: 'prepared_by', refusal: 'maker_checker' },
				needs: noMyNumber,
				audit: 'application.approve',
				documents: approvalDocuments
			},
			reject: {
				from: ['new', 'assigned', 'awaiting_approval'],
				to: 'rejected',
				permission: 'application.approve',
				reason: 'reason_required',
				needs: noMyNumber,
				audit: 'application.reject',
				documents: ['notice']
			},
			return: {
				from: ['new', 'assigned'],
				to: 'returned',
				permission: 'application.process',
				reason: 'reason_required',
				needs: (input, subject, by) =>
					noMyNumber(input) ??
					(!input.items?.length
						? 'items_required'
						: subject.stage === 'assigned' && !heldBy(subject, by.actorId)
							? 'not_assignee'
							: null),
				audit: 'application.return',
				documents: []
			},
			// The stage stays: the outcome of handing over what the approval issued.
			record_issue: {
				from: ['completed'],
				to: 'completed',
				permission: 'document.issue',
				reason: false,
				needs: (input) =>
					issueOutcomes.includes(input.outcome as (typeof issueOutcomes)[number])
						? null
						: 'outcome_required',
				audit: 'application.issue',
				documents: []
			}
		}
	};
}
