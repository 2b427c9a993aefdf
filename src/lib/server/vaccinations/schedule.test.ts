import { describe, expect, it } from 'vitest';
import { routineSchedule } from './catalogue';
import { dueDoses, type GivenDose, type ScheduledDose } from './schedule';

const catalogue: ScheduledDose[] = routineSchedule.flatMap((vaccine) =>
	vaccine.doses.map((dose, index) => ({
		vaccineCode: vaccine.vaccineCode,
		category: vaccine.category,
		doseCode: dose.doseCode,
		sequence: index + 1,
		windowRule: dose.windowRule,
		eligibleFrom: dose.eligibleFrom,
		eligibleUntil: dose.eligibleUntil,
		recommendedUntil: dose.recommendedUntil ?? null,
		repeatsYearly: dose.repeatsYearly ?? false
	}))
);

const given = (
	vaccineCode: string,
	doseCode: string,
	administeredOn: string,
	productName: string | null = null
): GivenDose => ({
	vaccineCode,
	doseCode,
	administeredOn,
	productName
});

describe('dueDoses', () => {
	it('shows a 3-month-old the first dose of each infant vaccine, once, and nothing for later ages', () => {
		const due = dueDoses(catalogue, [], { birthDate: '2026-08-20', sex: 'male' }, '2026-11-22');
		const codes = due
			.filter((dose) => dose.status !== 'upcoming')
			.map((dose) => `${dose.vaccineCode}:${dose.doseCode}`);
		expect(codes).toEqual(
			expect.arrayContaining([
				'dpt_ipv_hib:primary_1',
				'pcv:primary_1',
				'hepatitis_b:dose_1',
				'rotavirus:dose_1'
			])
		);
		// Not the older four-in-one series, not MR yet, and one dose per vaccine.
		expect(codes.some((code) => code.startsWith('dpt_ipv:') || code.startsWith('hib:'))).toBe(
			false
		);
		expect(codes.some((code) => code.startsWith('mr:'))).toBe(false);
		expect(new Set(due.map((dose) => dose.vaccineCode)).size).toBe(due.length);
	});

	it('moves on to the next dose of a series and keeps the older series for a child who started it', () => {
		const doses = [
			given('dpt_ipv', 'primary_1', '2023-06-01'),
			given('hib', 'primary_1', '2023-06-01')
		];
		const due = dueDoses(
			catalogue,
			doses,
			{ birthDate: '2023-04-01', sex: 'female' },
			'2023-07-10'
		);
		expect(due).toEqual(
			expect.arrayContaining([
				expect.objectContaining({ vaccineCode: 'dpt_ipv', doseCode: 'primary_2', status: 'due' }),
				expect.objectContaining({ vaccineCode: 'hib', doseCode: 'primary_2' })
			])
		);
		expect(due.some((dose) => dose.vaccineCode === 'dpt_ipv_hib')).toBe(false);
	});

	it('marks a dose past its recommended age as late while the window is still open', () => {
		// Rotavirus dose 1 is recommended before 14 weeks 6 days, allowed until 24/32 weeks.
		const due = dueDoses(catalogue, [], { birthDate: '2026-06-01', sex: 'male' }, '2026-09-20');
		expect(due.find((dose) => dose.vaccineCode === 'rotavirus')).toMatchObject({ status: 'late' });
	});

	it('shows MR 2期 only in the year before school and HPV only for girls', () => {
		const doses = [given('mr', 'period_1', '2021-05-01')];
		const child = { birthDate: '2020-05-01', sex: 'female' as const }; // school from April 2027
		const early = dueDoses(catalogue, doses, child, '2025-12-01');
		expect(early.some((dose) => dose.vaccineCode === 'mr')).toBe(false);
		const inYear = dueDoses(catalogue, doses, child, '2026-11-22');
		expect(inYear.find((dose) => dose.vaccineCode === 'mr')).toMatchObject({
			doseCode: 'period_2',
			status: 'due',
			from: '2026-04-01',
			until: '2027-04-01'
		});
		const girl = dueDoses(catalogue, [], { birthDate: '2013-06-01', sex: 'female' }, '2026-11-22');
		const boy = dueDoses(catalogue, [], { birthDate: '2013-06-01', sex: 'male' }, '2026-11-22');
		expect(girl.some((dose) => dose.vaccineCode === 'hpv')).toBe(true);
		expect(boy.some((dose) => dose.vaccineCode === 'hpv')).toBe(false);
	});

	it('shows the elderly influenza dose once per season', () => {
		const person = { birthDate: '1950-01-01', sex: 'male' as const };
		const inSeason = dueDoses(catalogue, [], person, '2026-11-22');
		expect(inSeason.find((dose) => dose.vaccineCode === 'influenza_elderly')).toMatchObject({
			status: 'due',
			from: '2026-10-01'
		});
		const done = dueDoses(
			catalogue,
			[given('influenza_elderly', 'season', '2026-10-15')],
			person,
			'2026-11-22'
		);
		expect(done.some((dose) => dose.vaccineCode === 'influenza_elderly')).toBe(false);
		const summer = dueDoses(catalogue, [], person, '2026-07-01');
		expect(summer.some((dose) => dose.vaccineCode === 'influenza_elderly')).toBe(false);
	});
});
