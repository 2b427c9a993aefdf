// When a dose may be given under the Act, from the date of birth and the catalogue's window.
// Dates are 'YYYY-MM-DD' strings and arithmetic is calendar arithmetic in UTC, so a time zone
// never moves a birthday. Conventions [bg]:
// - "生後2か月に至った日から" = the same day-of-month two months after birth (inclusive); a month
//   without that day gives its last day.
// - "7歳6か月に至るまで" = up to the day before that date (the end is exclusive).
// - Ages by 年齢計算ニ関スル法律: a person reaches an age the day before the birthday, which
//   decides the fiscal year (4/1–3/31) in which they "turn" it.
import { addDays, addDuration } from '../time';
import type { WindowRule } from './catalogue';

export type DoseWindow = {
	windowRule: WindowRule;
	eligibleFrom: string;
	eligibleUntil: string | null;
};

export type Period = { from: string; until: string | null };

/** April 1 that starts the fiscal year (年度) containing the date. */
export function fiscalYearStart(iso: string): string {
	const date = new Date(`${iso}T00:00:00Z`);
	const year = date.getUTCMonth() >= 3 ? date.getUTCFullYear() : date.getUTCFullYear() - 1;
	return `${year}-04-01`;
}

/** The day on which the law says a person reaches the age that `duration` names. */
function reachesAge(birthDate: string, duration: string): string {
	return addDays(addDuration(birthDate, duration), -1);
}

/** April 1 on which a child born on birthDate enters elementary school (学校教育法第17条). */
export function schoolEntryDate(birthDate: string): string {
	return addDuration(fiscalYearStart(reachesAge(birthDate, 'P6Y')), 'P1Y');
}

/**
 * The period in which a dose may be given. `until` is exclusive; null means no upper limit.
 * For 'annual_season' this is only the age condition; the season itself is seasonFor().
 */
export function eligibilityPeriod(dose: DoseWindow, birthDate: string): Period {
	switch (dose.windowRule) {
		case 'age':
		case 'annual_season':
			return {
				from: addDuration(birthDate, dose.eligibleFrom),
				until: dose.eligibleUntil ? addDuration(birthDate, dose.eligibleUntil) : null
			};
		case 'preschool_year': {
			const entry = schoolEntryDate(birthDate);
			return { from: addYears(entry, -1), until: entry };
		}
		case 'fiscal_year': {
			const from = fiscalYearStart(reachesAge(birthDate, dose.eligibleFrom));
			const lastYearStart = fiscalYearStart(
				reachesAge(birthDate, dose.eligibleUntil ?? dose.eligibleFrom)
			);
			return { from, until: addYears(lastYearStart, 1) };
		}
	}
}

function addYears(iso: string, years: number): string {
	const [year, rest] = [Number(iso.slice(0, 4)), iso.slice(4)];
	return `${String(year + years).padStart(4, '0')}${rest}`;
}

/** The 高齢者 season containing or following the date: 1 October to 31 January [bg: cities vary]. */
export function seasonFor(onDate: string): Period {
	const year = Number(onDate.slice(0, 4));
	const month = Number(onDate.slice(5, 7));
	const startYear = month === 1 ? year - 1 : year;
	return { from: `${startYear}-10-01`, until: `${startYear + 1}-02-01` };
}

export function isWithin(period: Period, date: string): boolean {
	return date >= period.from && (period.until === null || date < period.until);
}

/** Whether a dose given on `date` to a person born on `birthDate` falls inside its window. */
export function isEligibleOn(dose: DoseWindow, birthDate: string, date: string): boolean {
	if (!isWithin(eligibilityPeriod(dose, birthDate), date)) return false;
	return dose.windowRule !== 'annual_season' || isWithin(seasonFor(date), date);
}
