import { describe, expect, it } from 'vitest';
import { certificate } from './certificate/wizard';
import {
	CaseError,
	nextStage,
	returnItems,
	stages,
	machineFor,
	type CaseAction,
	type Stage
} from './casework';

const caseworker = {
	id: 'cw',
	permissions: new Set(['application.process', 'document.issue'])
};
const approver = {
	id: 'ap',
	permissions: new Set(['application.process', 'application.approve', 'document.issue'])
};
const stranger = { id: 'x', permissions: new Set<string>(['audit.read']) };

const input = (action: CaseAction) => ({
	action,
	reason: 'reason',
	items: [{ step: 'passport', note: '' }],
	assignee: 'someone',
	outcome: 'mailed'
});

function refusal(run: () => unknown): string | null {
	try {
		run();
		return null;
	} catch (failure) {
		return (failure as CaseError).code;
	}
}

describe('the case machine', () => {
	// Every edge of the table, from every stage, for a caseworker, an approver and a stranger.
	for (const [action, table] of Object.entries(machineFor('certificate')) as [
		CaseAction,
		ReturnType<typeof machineFor>[CaseAction]
	][]) {
		const rule = { ...table, from: table.from as readonly Stage[] };
		it(`${action}: only from ${rule.from.join(', ')} and only with ${rule.permission}`, () => {
			for (const stage of stages) {
				const application = {
					kind: 'certificate',
					stage,
					assigned_to: 'cw',
					prepared_by: 'cw'
				};
				for (const actor of [caseworker, approver, stranger]) {
					const result = refusal(() => nextStage(application, actor, input(action)));
					if (!actor.permissions.has(rule.permission)) {
						expect(result, `${actor.id} ${stage}`).toBe('forbidden');
					} else if (!rule.from.includes(stage as Stage)) {
						expect(result, `${actor.id} ${stage}`).toBe('wrong_stage');
					} else if (action === 'approve' && actor.id === 'cw') {
						expect(result).toBe('maker_checker');
					} else if (
						(action === 'prepare' || (action === 'return' && stage === 'assigned')) &&
						actor.id !== 'cw'
					) {
						expect(result).toBe('not_assignee');
					} else {
						expect(result, `${actor.id} ${stage}`).toBeNull();
						expect(nextStage(application, actor, input(action))).toBe(rule.to);
					}
				}
			}
		});
	}

	it('never lets whoever prepared a case approve it, even an approver', () => {
		const prepared = {
			kind: 'reissue',
			stage: 'awaiting_approval',
			assigned_to: 'ap',
			prepared_by: 'ap'
		};
		expect(refusal(() => nextStage(prepared, approver, input('approve')))).toBe('maker_checker');
		expect(nextStage({ ...prepared, prepared_by: 'cw' }, approver, input('approve'))).toBe(
			'completed'
		);
	});

	it('needs reasons, items, an assignee and an outcome where the table says so', () => {
		const application = {
			kind: 'reissue',
			stage: 'assigned',
			assigned_to: 'cw',
			prepared_by: null
		};
		expect(refusal(() => nextStage(application, approver, { action: 'reject' }))).toBe(
			'reason_required'
		);
		expect(
			refusal(() =>
				nextStage(application, caseworker, { action: 'return', reason: 'r', items: [] })
			)
		).toBe('items_required');
		expect(
			refusal(() => nextStage(application, approver, { action: 'reassign', reason: 'r' }))
		).toBe('assignee_required');
		expect(
			refusal(() =>
				nextStage({ ...application, stage: 'completed' }, caseworker, {
					action: 'record_issue',
					outcome: 'thrown away'
				})
			)
		).toBe('outcome_required');
	});

	it('refuses a 個人番号 in a reason or a return note, and not other numbers', () => {
		const application = {
			kind: 'reissue',
			stage: 'assigned',
			assigned_to: 'cw',
			prepared_by: null
		};
		// 000000000000 has a valid check digit (it is what npm run fuzz typed first).
		const returning = (reason: string, note: string) =>
			refusal(() =>
				nextStage(application, caseworker, {
					action: 'return',
					reason,
					items: [{ step: 'passport', note }]
				})
			);
		expect(returning('番号 000000000000 を確認', '')).toBe('my_number_in_text');
		expect(returning('確認のため', '123456789018')).toBe('my_number_in_text');
		// Not a valid check digit, or not twelve digits: a phone number, a document number.
		expect(returning('電話 090-1234-5678、123456789012', '受付番号 1234567890123')).toBeNull();
	});

	it('keeps only return items that name a step of the request', () => {
		expect(
			returnItems(certificate, [
				{ step: 'passport', note: ' 名が違います ' },
				{ step: 'check', note: '' },
				{ step: 'nonsense', note: 'x' }
			])
		).toEqual([{ step: 'passport', note: '名が違います' }]);
	});
});
