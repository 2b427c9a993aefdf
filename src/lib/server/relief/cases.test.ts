import { describe, expect, it } from 'vitest';
import {
	nextReliefStage,
	ReliefError,
	reliefMachine,
	reliefStages,
	type ReliefAction,
	type ReliefCase,
	type ReliefInput
} from './cases';

const officer = { id: 'a', permissions: new Set(['relief.handle']) };
const other = { id: 'b', permissions: new Set(['relief.handle']) };
const caseworker = { id: 'c', permissions: new Set(['application.process']) };
const today = '2026-11-23';
const complete: ReliefInput = {
	items: ['receipts'],
	date: '2026-11-20',
	minutes: '第1回',
	opinion: '否定できない',
	certification: 'certified',
	reference: '第1号',
	appealOutcome: 'upheld',
	payments: [{ benefit: 'medical_expenses', amountYen: 1000 }],
	paymentId: '1',
	account: {
		bankCode: '0001',
		branchCode: '001',
		type: 'ordinary',
		number: '1234567',
		holderKana: 'ヤマダ　ハナコ'
	},
	claimEvents: { costsPaidFrom: '2026-05-01', treatmentFrom: '2026-04-01' },
	publicNote: 'お知らせ',
	reason: '理由'
};
const relief = (stage: string, extra: Partial<ReliefCase> = {}): ReliefCase => ({
	id: 'x',
	municipality_code: '139998',
	application_id: null,
	subject_atena_number: '1',
	claimant_name: '山田',
	category: 'A',
	benefits: ['medical_expenses'],
	received_on: '2026-06-01',
	stage,
	version: 1,
	missing_documents: [],
	committee_on: null,
	committee_minutes: null,
	committee_opinion: null,
	forward_prepared_by: 'b',
	certification: 'certified',
	decided_on: '2026-10-01',
	decision_prepared_by: 'b',
	bank_code: '0001',
	...extra
});
const attempt = (
	stage: string,
	action: ReliefAction,
	actor = officer,
	extra: Partial<ReliefCase> = {}
) => {
	try {
		return nextReliefStage(relief(stage, extra), actor, action, complete, today);
	} catch (failure) {
		return (failure as ReliefError).code;
	}
};

describe('the relief machine', () => {
	it('allows each action exactly from its stages, for the relief role only', () => {
		for (const [action, rule] of Object.entries(reliefMachine.actions) as [
			ReliefAction,
			(typeof reliefMachine.actions)[ReliefAction]
		][]) {
			for (const stage of reliefStages) {
				const allowed = rule.from === 'open' ? stage !== 'closed' : rule.from.includes(stage);
				const outcome = attempt(stage, action);
				if (allowed) expect(reliefStages, `${action} from ${stage}`).toContain(outcome);
				else expect(outcome, `${action} from ${stage}`).toBe('wrong_stage');
				expect(attempt(stage, action, caseworker)).toBe('forbidden');
			}
		}
	});

	it('never lets the person who prepared 進達 or a decision approve it', () => {
		expect(attempt('forward_pending', 'approve_forward', other)).toBe('same_person');
		expect(attempt('forward_pending', 'approve_forward', officer)).toBe('forwarded');
		expect(attempt('decision_pending', 'approve_decision', other)).toBe('same_person');
		expect(attempt('decision_pending', 'approve_decision', officer)).toBe('decided_pay');
		expect(
			attempt('decision_pending', 'approve_decision', officer, { certification: 'denied' })
		).toBe('decided_not_pay');
	});

	it('routes certification and refuses an appeal after three months', () => {
		expect(attempt('national_review', 'record_certification')).toBe('certified');
		expect(
			nextReliefStage(
				relief('decided_not_pay', { decided_on: '2026-08-20' }),
				officer,
				'file_appeal',
				{ date: '2026-11-20' },
				today
			)
		).toBe('appeal');
		expect(() =>
			nextReliefStage(
				relief('decided_not_pay', { decided_on: '2026-08-19' }),
				officer,
				'file_appeal',
				{ date: '2026-11-20' },
				today
			)
		).toThrow('appeal_late');
	});

	it('records the dates claim limits run from only when they make sense', () => {
		const events = (claimEvents: ReliefInput['claimEvents']) => {
			try {
				return nextReliefStage(
					relief('document_check'),
					officer,
					'record_claim_events',
					{ claimEvents },
					today
				);
			} catch (failure) {
				return (failure as ReliefError).code;
			}
		};
		expect(events({})).toBe('events_required');
		expect(events({ diedOn: '2026-11-24' })).toBe('events_required');
		expect(events({ costsPaidFrom: '2026/05/01' })).toBe('events_required');
		// Costs paid after the claim was received cannot be what it claims.
		expect(events({ costsPaidFrom: '2026-06-02' })).toBe('event_after_claim');
		expect(events({ treatmentFrom: '2026-07-01' })).toBe('event_after_claim');
		// A death may come later than the claim (the injured person died while it ran).
		expect(events({ diedOn: '2026-11-23' })).toBe('document_check');
		expect(events({ costsPaidFrom: '2026-06-01' })).toBe('document_check');
	});
});
