import { describe, expect, it } from 'vitest';
import { routineSchedule } from './catalogue';
import { eligibilityPeriod, fiscalYearStart, isEligibleOn, schoolEntryDate } from './eligibility';
import { addDuration, parseDuration } from '../time';

const dose = (vaccine: string, code: string) => {
	const found = routineSchedule
		.find((v) => v.vaccineCode === vaccine)
		?.doses.find((d) => d.doseCode === code);
	if (!found) throw new Error(`${vaccine}/${code} missing`);
	return found;
};

describe('calendar arithmetic', () => {
	it('adds months, clamping to the end of a shorter month', () => {
		expect(addDuration('2026-01-15', 'P2M')).toBe('2026-03-15');
		expect(addDuration('2026-12-31', 'P2M')).toBe('2027-02-28');
		expect(addDuration('2024-02-29', 'P1Y')).toBe('2025-02-28');
		expect(addDuration('2026-01-01', 'P6W')).toBe('2026-02-12');
		expect(addDuration('2019-05-10', 'P90M')).toBe('2026-11-10');
	});

	it('rejects what is not a date duration', () => {
		expect(() => parseDuration('2M')).toThrow();
		expect(() => parseDuration('P')).toThrow();
		expect(() => parseDuration('PT2H')).toThrow();
	});

	it('finds the fiscal year start', () => {
		expect(fiscalYearStart('2026-04-01')).toBe('2026-04-01');
		expect(fiscalYearStart('2026-03-31')).toBe('2025-04-01');
		expect(fiscalYearStart('2027-01-10')).toBe('2026-04-01');
	});

	it('puts children born on 1 April into the earlier school year', () => {
		expect(schoolEntryDate('2020-04-01')).toBe('2026-04-01');
		expect(schoolEntryDate('2020-04-02')).toBe('2027-04-01');
		expect(schoolEntryDate('2021-03-31')).toBe('2027-04-01');
	});
});

describe('eligibility windows of the routine schedule', () => {
	it('opens 五種混合 at 2 months and closes it the day before 7 years 6 months', () => {
		const primary = dose('dpt_ipv_hib', 'primary_1');
		expect(isEligibleOn(primary, '2026-01-15', '2026-03-14')).toBe(false);
		expect(isEligibleOn(primary, '2026-01-15', '2026-03-15')).toBe(true);
		expect(isEligibleOn(primary, '2019-01-15', '2026-07-14')).toBe(true);
		expect(isEligibleOn(primary, '2019-01-15', '2026-07-15')).toBe(false);
	});

	it('limits B型肝炎 and BCG to the first year', () => {
		expect(isEligibleOn(dose('hepatitis_b', 'dose_1'), '2025-06-01', '2025-06-01')).toBe(true);
		expect(isEligibleOn(dose('hepatitis_b', 'dose_3'), '2025-06-01', '2026-05-31')).toBe(true);
		expect(isEligibleOn(dose('bcg', 'single'), '2025-06-01', '2026-06-01')).toBe(false);
	});

	it('gives MR 2期 the year before school', () => {
		const period = eligibilityPeriod(dose('mr', 'period_2'), '2020-09-10');
		expect(period).toEqual({ from: '2026-04-01', until: '2027-04-01' });
	});

	it('gives HPV from the 6th school year to the 1st year of high school', () => {
		// Born 2014-05-01: turns 12 on 2026-04-30 (FY2026) and 16 in FY2030.
		expect(eligibilityPeriod(dose('hpv', 'dose_1'), '2014-05-01')).toEqual({
			from: '2026-04-01',
			until: '2031-04-01'
		});
		// Born 2014-04-01: reaches 12 on 2026-03-31, so one school year earlier.
		expect(eligibilityPeriod(dose('hpv', 'dose_1'), '2014-04-01')).toEqual({
			from: '2025-04-01',
			until: '2030-04-01'
		});
	});

	it('gives 高齢者肺炎球菌 only the fiscal year of turning 65', () => {
		expect(eligibilityPeriod(dose('pneumococcal_elderly', 'single'), '1961-08-20')).toEqual({
			from: '2026-04-01',
			until: '2027-04-01'
		});
	});

	it('allows influenza for 65 and over only in the season', () => {
		const flu = dose('influenza_elderly', 'season');
		expect(isEligibleOn(flu, '1950-01-01', '2026-11-01')).toBe(true);
		expect(isEligibleOn(flu, '1950-01-01', '2026-07-01')).toBe(false);
		expect(isEligibleOn(flu, '1962-12-01', '2026-11-01')).toBe(false);
	});

	it('has windows that parse for every dose in the catalogue', () => {
		for (const vaccine of routineSchedule) {
			for (const item of vaccine.doses) {
				const period = eligibilityPeriod(item, '2000-06-15');
				expect(
					period.until === null || period.until > period.from,
					`${vaccine.vaccineCode}/${item.doseCode}`
				).toBe(true);
			}
		}
	});
});
