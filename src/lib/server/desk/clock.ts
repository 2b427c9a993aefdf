// The statutory clock of 開示・訂正・利用停止 requests (個人情報保護法 and the city's 条例): a
// decision is due a number of days after the request is received (14 or 30, the city's
// setting); whether the day of receipt counts is the city's rule (the Civil Code does not count
// it); a last day on which the city is closed moves to its next open day (Saturdays, Sundays,
// national holidays, 29 December–3 January, and closures the city adds). An extension adds its
// days to the original deadline; 訂正・利用停止 may be asked within 90 days of the disclosure.
import holidayJp from '@holiday-jp/holiday_jp';
import { addDays } from '../time';

export type ClockRules = {
	days: number;
	/** true: the day the request arrives is day 1 (some cities' 条例); false: the Civil Code. */
	countReceiptDay: boolean;
	/** Days the city adds as closed (system stoppage, disasters), YYYY-MM-DD. */
	closedDays?: ReadonlySet<string>;
};

/** A 行政機関の休日: weekend, national holiday (holiday-jp data), 年末年始, or a city closure. */
export function isClosedDay(iso: string, closedDays?: ReadonlySet<string>): boolean {
	const weekday = new Date(`${iso}T00:00:00Z`).getUTCDay();
	const monthDay = iso.slice(5);
	return (
		weekday === 0 ||
		weekday === 6 ||
		Object.hasOwn(holidayJp.holidays, iso) ||
		monthDay >= '12-29' ||
		monthDay <= '01-03' ||
		(closedDays?.has(iso) ?? false)
	);
}

/** The first day from `iso` on which the city is open. */
export function nextOpenDay(iso: string, closedDays?: ReadonlySet<string>): string {
	let day = iso;
	while (isClosedDay(day, closedDays)) day = addDays(day, 1);
	return day;
}

/** The day by which the decision is due. */
export function statutoryDeadline(receivedOn: string, rules: ClockRules): string {
	const first = rules.countReceiptDay ? receivedOn : addDays(receivedOn, 1);
	return nextOpenDay(addDays(first, rules.days - 1), rules.closedDays);
}

/** After an extension (延長, with a reason and a notice): its days added to the deadline. */
export function extendedDeadline(
	deadline: string,
	extensionDays: number,
	closedDays?: ReadonlySet<string>
): string {
	return nextOpenDay(addDays(deadline, extensionDays), closedDays);
}

/** 訂正請求・利用停止請求: within 90 days from the day after the disclosure was made. */
export const correctionWindowEnd = (disclosedOn: string) => addDays(disclosedOn, 90);

/** Days left until the deadline (negative once overdue), counted in calendar days. */
export function daysLeft(deadline: string, today: string): number {
	return Math.round(
		(Date.parse(`${deadline}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000
	);
}
