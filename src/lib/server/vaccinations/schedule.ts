// What a person should have next, from the city's catalogue and the doses on record: the next
// dose of each routine vaccine whose window is open (due), open but past the recommended age
// (late), or opening within 90 days (upcoming).
//
// Rules the catalogue cannot express, decided here:
// - 五種混合 (dpt_ipv_hib) and the older 四種混合 + ヒブ (dpt_ipv, hib) are alternatives: a child
//   who started the older series continues it; everyone else is shown 五種混合.
// - ロタ dose 3 is for the pentavalent vaccine only; the product is not known in advance, so it
//   is shown only after dose 2 of a pentavalent product (product name containing 5価/RotaTeq).
// - HPV routine vaccination is for girls (女子); others are not shown it.
// - Yearly B類 doses (高齢者インフルエンザ, 新型コロナ) are due once per season.
import { eligibilityPeriod, isWithin, seasonFor } from './eligibility';
import { addDays, addDuration } from '../time';
import type { WindowRule } from './catalogue';

export type ScheduledDose = {
	vaccineCode: string;
	category: string;
	doseCode: string;
	sequence: number;
	windowRule: WindowRule;
	eligibleFrom: string;
	eligibleUntil: string | null;
	recommendedUntil: string | null;
	repeatsYearly: boolean;
};

export type GivenDose = {
	vaccineCode: string;
	doseCode: string;
	administeredOn: string;
	productName: string | null;
};

export type DueDose = {
	vaccineCode: string;
	doseCode: string;
	status: 'due' | 'late' | 'upcoming';
	from: string;
	/** Exclusive end of the window, or null when there is none. */
	until: string | null;
};

const upcomingDays = 90;

export function dueDoses(
	catalogue: ScheduledDose[],
	given: GivenDose[],
	person: { birthDate: string; sex: 'male' | 'female' },
	today: string
): DueDose[] {
	const has = (vaccineCode: string) => given.some((dose) => dose.vaccineCode === vaccineCode);
	const olderDtpSeries = has('dpt_ipv') && !has('dpt_ipv_hib');
	const skip = new Set<string>(olderDtpSeries ? ['dpt_ipv_hib'] : ['dpt_ipv', 'hib']);
	if (person.sex !== 'female') skip.add('hpv');

	const byVaccine = new Map<string, ScheduledDose[]>();
	for (const dose of catalogue) {
		if (skip.has(dose.vaccineCode)) continue;
		byVaccine.set(dose.vaccineCode, [...(byVaccine.get(dose.vaccineCode) ?? []), dose]);
	}

	const result: DueDose[] = [];
	for (const [vaccineCode, doses] of byVaccine) {
		doses.sort((a, b) => a.sequence - b.sequence);
		const doneCodes = new Set(
			given.filter((dose) => dose.vaccineCode === vaccineCode).map((dose) => dose.doseCode)
		);
		for (const dose of doses) {
			const period = eligibilityPeriod(dose, person.birthDate);
			if (dose.repeatsYearly || dose.windowRule === 'annual_season') {
				const season = seasonFor(today);
				const thisSeason = given.some(
					(given) =>
						given.vaccineCode === vaccineCode &&
						given.doseCode === dose.doseCode &&
						isWithin(season, given.administeredOn)
				);
				if (!thisSeason && isWithin(period, today) && isWithin(season, today)) {
					result.push({ vaccineCode, doseCode: dose.doseCode, status: 'due', ...season });
				}
				break;
			}
			if (doneCodes.has(dose.doseCode)) continue;
			if (vaccineCode === 'rotavirus' && dose.sequence === 3) {
				const pentavalent = given.some(
					(given) =>
						given.vaccineCode === 'rotavirus' &&
						/5価|RotaTeq|ロタテック/i.test(given.productName ?? '')
				);
				if (!pentavalent) break;
			}
			// The next dose of the series only: later ones follow from it.
			if (period.until !== null && period.until <= today) break;
			if (period.from > today) {
				if (period.from <= addDays(today, upcomingDays)) {
					result.push({ vaccineCode, doseCode: dose.doseCode, status: 'upcoming', ...period });
				}
				break;
			}
			const recommendedEnd = dose.recommendedUntil
				? addDuration(person.birthDate, dose.recommendedUntil)
				: null;
			result.push({
				vaccineCode,
				doseCode: dose.doseCode,
				status: recommendedEnd && recommendedEnd <= today ? 'late' : 'due',
				...period
			});
			break;
		}
	}
	return result;
}
