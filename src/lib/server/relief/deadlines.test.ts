import { describe, expect, it } from 'vitest';
import {
	appealDeadline,
	claimDeadline,
	claimLimits,
	lastDayOfMonth,
	pensionInstalments,
	periodEnd
} from './deadlines';

describe('periods under the Civil Code', () => {
	it('ends the day before the corresponding day', () => {
		expect(periodEnd('2026-11-20', { months: 3 })).toBe('2027-02-20');
		expect(appealDeadline('2026-04-01')).toBe('2026-07-01');
	});

	it('ends at the end of a month that has no corresponding day, leap years included', () => {
		// Learned on 30 November: the period starts 1 December and ends on the last of February.
		expect(appealDeadline('2026-11-30')).toBe('2027-02-28');
		// Learned on 29 November 2023: starts 30 November, no 30 February → 29 February 2024.
		expect(appealDeadline('2023-11-29')).toBe('2024-02-29');
		expect(appealDeadline('2024-11-29')).toBe('2025-02-28');
		// Month ends: 30 January + 1 month starts 31 January → no 31 February.
		expect(periodEnd('2024-01-30', { months: 1 })).toBe('2024-02-29');
		expect(periodEnd('2026-01-31', { months: 1 })).toBe('2026-02-28');
		expect(periodEnd('2026-12-31', { months: 3 })).toBe('2027-03-31');
	});

	it('counts years across 29 February', () => {
		expect(periodEnd('2024-02-28', { years: 5 })).toBe('2029-02-28');
		expect(periodEnd('2024-02-29', { years: 5 })).toBe('2029-02-28');
		// Starts 1 March 2023: a year ends the day before 1 March 2024, which is 29 February.
		expect(periodEnd('2023-02-28', { years: 1 })).toBe('2024-02-29');
		expect(periodEnd('2023-02-28', { years: 5 })).toBe('2028-02-29');
	});

	it('runs each benefit’s claim limit from its own event', () => {
		const medical = { claimLimitYears: 5, claimLimitFrom: 'payment' };
		expect(claimDeadline(medical, '2021-03-31')).toBe('2026-03-31');
		const allowance = { claimLimitYears: 5, claimLimitFrom: 'treatment_month' };
		// Treatment in February 2024: from the end of that month (29th) — five years later.
		expect(lastDayOfMonth('2024-02-10')).toBe('2024-02-29');
		expect(claimDeadline(allowance, '2024-02-10')).toBe('2029-02-28');
		expect(claimDeadline({ claimLimitYears: null, claimLimitFrom: null }, '2024-01-01')).toBe(null);
	});
});

describe('claim limits on a case', () => {
	const catalogue = [
		{ code: 'medical_expenses', claimLimitYears: 5, claimLimitFrom: 'payment' },
		{ code: 'medical_allowance', claimLimitYears: 5, claimLimitFrom: 'treatment_month' },
		{ code: 'disability_pension', claimLimitYears: null, claimLimitFrom: null },
		{ code: 'funeral_expenses', claimLimitYears: 5, claimLimitFrom: 'death' }
	];

	it('flags a claim received after a benefit’s last day, and not one received on it', () => {
		const events = { costsPaidFrom: '2021-11-20', treatmentFrom: '2021-11-03', diedOn: null };
		// Paid 20 Nov 2021 → last day 20 Nov 2026; treatment in Nov 2021 → from 30 Nov → 30 Nov 2026.
		expect(claimLimits(catalogue, events, '2026-11-20')).toEqual([
			{ benefit: 'medical_expenses', from: 'payment', deadline: '2026-11-20', late: false },
			{
				benefit: 'medical_allowance',
				from: 'treatment_month',
				deadline: '2026-11-30',
				late: false
			},
			{ benefit: 'disability_pension', from: null, deadline: null, late: false },
			{ benefit: 'funeral_expenses', from: 'death', deadline: null, late: false }
		]);
		const late = claimLimits(catalogue, events, '2026-11-21');
		expect(late.filter((row) => row.late).map((row) => row.benefit)).toEqual(['medical_expenses']);
	});

	it('runs death benefits from the death, across a leap day', () => {
		const events = { costsPaidFrom: null, treatmentFrom: null, diedOn: '2024-02-29' };
		expect(claimLimits(catalogue.slice(3), events, '2029-02-28')[0]).toEqual({
			benefit: 'funeral_expenses',
			from: 'death',
			deadline: '2029-02-28',
			late: false
		});
		expect(claimLimits(catalogue.slice(3), events, '2029-03-01')[0]!.late).toBe(true);
	});
});

describe('pension instalments', () => {
	it('pays quarters from the month after the claim, prorated at the end', () => {
		const rows = pensionInstalments('2026-11-20', 1_200_000, '2027-07-10');
		expect(rows.map((row) => [row.from, row.until, row.dueOn, row.amountYen])).toEqual([
			['2026-12-01', '2027-02-28', '2027-03-15', 300_000],
			['2027-03-01', '2027-05-31', '2027-06-15', 300_000],
			['2027-06-01', '2027-07-10', '2027-08-15', 200_000]
		]);
	});
});
