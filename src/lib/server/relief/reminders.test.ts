import { describe, expect, it } from 'vitest';
import { reliefReminders, type ReminderCase } from './reminders';

const now = new Date('2026-11-23T03:00:00Z');
const base: ReminderCase = {
	id: 'c',
	name: '山田 花子',
	stage: 'committee',
	stageSince: new Date('2026-11-01T00:00:00Z'),
	decidedOn: null,
	appealFiledOn: null
};

describe('relief reminders', () => {
	it('flags a stage older than the city allows, and not a younger one', () => {
		const at = (days: number) => new Date(now.getTime() - days * 86_400_000);
		const reminders = reliefReminders(
			[
				{ ...base, id: 'old', stageSince: at(31) },
				{ ...base, id: 'young', stageSince: at(29) },
				{ ...base, id: 'done', stage: 'closed', stageSince: at(400) }
			],
			[],
			{ today: '2026-11-23', now, stallDays: 30 }
		);
		expect(reminders.map((row) => [row.caseId, row.kind])).toEqual([['old', 'stalled']]);
	});

	it('dates a stall from the day in Japan the stage began, at 00:30 and 23:30 JST', () => {
		const since = (instant: string) =>
			reliefReminders([{ ...base, stageSince: new Date(instant) }], [], {
				today: '2026-11-23',
				now,
				stallDays: 30
			})[0]!.on;
		expect(since('2026-10-01T15:30:00Z')).toBe('2026-10-02');
		expect(since('2026-10-02T14:30:00Z')).toBe('2026-10-02');
	});

	it('warns before an appeal window closes, counted to the month end', () => {
		// Decided 30 August: the window ends on 30 November, within 14 days of 23 November.
		const decided = { ...base, stage: 'decided_not_pay', stageSince: now, decidedOn: '2026-08-30' };
		expect(
			reliefReminders([decided], [], { today: '2026-11-23', now, stallDays: 30 }).map((row) => [
				row.kind,
				row.on
			])
		).toEqual([['appeal_window', '2026-11-30']]);
		// Already appealed, or the window long gone: nothing.
		expect(
			reliefReminders([{ ...decided, appealFiledOn: '2026-09-01' }], [], {
				today: '2026-11-23',
				now,
				stallDays: 30
			})
		).toEqual([]);
		expect(
			reliefReminders([{ ...decided, decidedOn: '2026-05-01' }], [], {
				today: '2026-11-23',
				now,
				stallDays: 30
			})
		).toEqual([]);
	});

	it('lists payments due within the horizon, soonest first', () => {
		const reminders = reliefReminders(
			[],
			[
				{ caseId: 'b', dueOn: '2026-12-15', label: '遺族年金' },
				{ caseId: 'a', dueOn: '2026-11-30', label: '医療手当' }
			],
			{ today: '2026-11-23', now, stallDays: 30 }
		);
		expect(reminders.map((row) => row.caseId)).toEqual(['a']);
	});

	it('lists a late claim until the decision, per benefit', () => {
		const limits = [
			{ benefit: 'medical_expenses', from: 'payment' as const, deadline: '2026-11-20', late: true },
			{
				benefit: 'medical_allowance',
				from: 'treatment_month' as const,
				deadline: '2026-11-30',
				late: false
			}
		];
		const check = { ...base, stage: 'document_check', claimLimits: limits };
		expect(
			reliefReminders([check], [], { today: '2026-11-23', now, stallDays: 30 }).map((row) => [
				row.kind,
				row.on,
				row.benefit
			])
		).toEqual([['claim_late', '2026-11-20', 'medical_expenses']]);
		// Once decided, the question is settled: no reminder.
		expect(
			reliefReminders([{ ...check, stage: 'decided_pay' }], [], {
				today: '2026-11-23',
				now,
				stallDays: 30
			})
		).toEqual([]);
	});

	it('tells the officer when a bereaved family’s limit is within half a year, closed cases too', () => {
		const closed = { ...base, stage: 'closed', bereavedClaimUntil: '2027-05-01' };
		const at = (today: string) =>
			reliefReminders([closed], [], { today, now, stallDays: 30 }).map((row) => [row.kind, row.on]);
		expect(at('2026-11-23')).toEqual([['bereaved_claim', '2027-05-01']]);
		// More than 180 days before, or after the last day: nothing.
		expect(at('2026-10-01')).toEqual([]);
		expect(at('2027-05-02')).toEqual([]);
	});
});
