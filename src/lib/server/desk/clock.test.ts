import { describe, expect, it } from 'vitest';
import {
	correctionWindowEnd,
	daysLeft,
	extendedDeadline,
	isClosedDay,
	statutoryDeadline
} from './clock';

const civil = { days: 14, countReceiptDay: false };

describe('the statutory clock of a disclosure request', () => {
	it('knows the days the city is closed', () => {
		expect(isClosedDay('2026-11-21')).toBe(true); // Saturday
		expect(isClosedDay('2026-11-03')).toBe(true); // 文化の日
		expect(isClosedDay('2026-11-24')).toBe(false); // the Tuesday after 勤労感謝の日 on Monday
		expect(isClosedDay('2026-12-29')).toBe(true); // 年末年始
		expect(isClosedDay('2027-01-04')).toBe(false);
	});

	it('counts a Friday request from the Saturday, or from the Friday where the city says so', () => {
		expect(statutoryDeadline('2026-11-20', civil)).toBe('2026-12-04');
		expect(statutoryDeadline('2026-11-20', { ...civil, countReceiptDay: true })).toBe('2026-12-03');
	});

	it('moves a last day that is a holiday to the next open day', () => {
		// 14 days after 20 October end on 3 November, 文化の日.
		expect(statutoryDeadline('2026-10-20', civil)).toBe('2026-11-04');
		// A closure the city adds counts too.
		expect(statutoryDeadline('2026-11-20', { ...civil, closedDays: new Set(['2026-12-04']) })).toBe(
			'2026-12-07'
		);
	});

	it('crosses month and year ends', () => {
		// Ends on 30 December, inside 年末年始: the first open day is Monday 4 January.
		expect(statutoryDeadline('2026-12-16', civil)).toBe('2027-01-04');
		// 30 days from 30 January end on Sunday 1 March: Monday 2 March.
		expect(statutoryDeadline('2026-01-30', { days: 30, countReceiptDay: false })).toBe(
			'2026-03-02'
		);
		// Through 29 February in a leap year.
		expect(statutoryDeadline('2028-02-15', civil)).toBe('2028-02-29');
	});

	it('extends from the deadline, and opens the correction window after a disclosure', () => {
		expect(extendedDeadline('2026-12-04', 30)).toBe('2027-01-04');
		expect(extendedDeadline('2026-11-04', 30)).toBe('2026-12-04');
		expect(correctionWindowEnd('2026-12-04')).toBe('2027-03-04');
		expect(daysLeft('2026-12-04', '2026-11-23')).toBe(11);
		expect(daysLeft('2026-11-20', '2026-11-23')).toBe(-3);
	});
});
