// Periods as the Civil Code counts them (民法140条・143条), which the 予防接種法 claim limits and
// the 行政不服審査法 appeal window follow: the day of the event does not count; a period of months
// or years ends at the end of the day before the corresponding day, and when the last month has
// no corresponding day (31 January + 1 month) at the end of that month.
import { addDays } from '../time';

const parse = (iso: string) => iso.split('-').map(Number) as [number, number, number];
const format = (year: number, month: number, day: number) =>
	`${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** The last day of a period of `months` (and `years`) that starts the day after `event`. */
export function periodEnd(event: string, length: { years?: number; months?: number }): string {
	const [year, month, day] = parse(addDays(event, 1));
	const total = month - 1 + (length.months ?? 0) + 12 * (length.years ?? 0);
	const endYear = year + Math.floor(total / 12);
	const endMonth = (total % 12) + 1;
	if (day > daysIn(endYear, endMonth)) return format(endYear, endMonth, daysIn(endYear, endMonth));
	return addDays(format(endYear, endMonth, day), -1);
}

export const lastDayOfMonth = (iso: string) => {
	const [year, month] = parse(iso);
	return format(year, month, daysIn(year, month));
};

/** 審査請求: within 3 months of the day after the claimant learned of the decision. */
export const appealDeadline = (learnedOn: string) => periodEnd(learnedOn, { months: 3 });

/**
 * The last day to claim a benefit, from the event its limit runs from: 医療費 from each payment
 * of medical costs, 医療手当 from the end of the month of treatment, death benefits from the
 * death. Pensions have no limit (they are paid from the month after the claim).
 */
export function claimDeadline(
	benefit: { claimLimitYears: number | null; claimLimitFrom: string | null },
	event: string
): string | null {
	if (benefit.claimLimitYears === null || benefit.claimLimitFrom === null) return null;
	const from = benefit.claimLimitFrom === 'treatment_month' ? lastDayOfMonth(event) : event;
	return periodEnd(from, { years: benefit.claimLimitYears });
}

export type ClaimEvents = {
	costsPaidFrom: string | null;
	treatmentFrom: string | null;
	diedOn: string | null;
};
export type ClaimLimit = {
	benefit: string;
	/** Which recorded event the limit runs from; null when the benefit has no limit. */
	from: 'payment' | 'treatment_month' | 'death' | null;
	/** null: no limit, or the event is not recorded yet. */
	deadline: string | null;
	/** The claim arrived after the last day: the part before it cannot be paid. */
	late: boolean;
};

/** Each claimed benefit's last day, from the events recorded on the case. */
export function claimLimits(
	benefits: { code: string; claimLimitYears: number | null; claimLimitFrom: string | null }[],
	events: ClaimEvents,
	receivedOn: string
): ClaimLimit[] {
	const eventFor = {
		payment: events.costsPaidFrom,
		treatment_month: events.treatmentFrom,
		death: events.diedOn
	} as Record<string, string | null>;
	return benefits.map((benefit) => {
		const from = benefit.claimLimitFrom as ClaimLimit['from'];
		const event = from ? eventFor[from] : null;
		const deadline = event ? claimDeadline(benefit, event) : null;
		return {
			benefit: benefit.code,
			from,
			deadline,
			late: deadline !== null && receivedOn > deadline
		};
	});
}

/**
 * Pension instalments: a year's amount paid in four parts, each covering three months and due on
 * the 15th of the month after its period (the city's payment rule), from the month after the
 * claim until `until` (the 18th birthday for a child's pension, or a death).
 */
export function pensionInstalments(
	claimedOn: string,
	yearlyYen: number,
	until: string
): { from: string; until: string; dueOn: string; amountYen: number }[] {
	const instalments: { from: string; until: string; dueOn: string; amountYen: number }[] = [];
	let [year, month] = parse(claimedOn);
	month += 1;
	if (month > 12) [year, month] = [year + 1, 1];
	while (format(year, month, 1) <= until && instalments.length < 400) {
		const start = format(year, month, 1);
		let endYear = year;
		let endMonth = month + 2;
		if (endMonth > 12) [endYear, endMonth] = [endYear + 1, endMonth - 12];
		const periodEndDay = format(endYear, endMonth, daysIn(endYear, endMonth));
		const end = periodEndDay < until ? periodEndDay : until;
		const months = (parse(end)[0] - year) * 12 + (parse(end)[1] - month) + 1;
		let dueYear = parse(end)[0];
		let dueMonth = parse(end)[1] + 1;
		if (dueMonth > 12) [dueYear, dueMonth] = [dueYear + 1, 1];
		instalments.push({
			from: start,
			until: end,
			dueOn: format(dueYear, dueMonth, 15),
			amountYen: Math.round((yearlyYen * months) / 12)
		});
		[year, month] = endMonth === 12 ? [endYear + 1, 1] : [endYear, endMonth + 1];
	}
	return instalments;
}
