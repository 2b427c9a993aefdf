import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isValidMyNumber } from '../mynumber/check-digit';
import { routineSchedule } from '../vaccinations/catalogue';
import { isEligibleOn } from '../vaccinations/eligibility';
import { addDays, addDuration } from '../time';
import { demoMyNumber, generateHouseholds, type Household } from './generate';

const asOf = '2026-11-01';
const generate = (seed: string, residents = 2000): Household[] => [
	...generateHouseholds({ seed, residents, asOf })
];
const fingerprint = (households: Household[]) =>
	createHash('sha256').update(JSON.stringify(households)).digest('hex');

describe('demo city generator', () => {
	const city = generate('1');
	const residents = city.flatMap((household) => household.residents);

	it('gives identical data for the same seed and different data for another', () => {
		expect(fingerprint(generate('1'))).toBe(fingerprint(city));
		expect(fingerprint(generate('2'))).not.toBe(fingerprint(city));
	});

	it('makes about the number of residents asked for, with unique 宛名番号', () => {
		expect(residents.length).toBeGreaterThanOrEqual(2000);
		expect(residents.length).toBeLessThan(2010);
		expect(new Set(residents.map((resident) => resident.atena_number)).size).toBe(residents.length);
	});

	it('has children of every age from 0 to 17 and older residents', () => {
		const ageOf = (birth: string) => {
			let age = Number(asOf.slice(0, 4)) - Number(birth.slice(0, 4));
			if (asOf.slice(5) < birth.slice(5)) age--;
			return age;
		};
		const ages = new Set(residents.map((resident) => ageOf(resident.birth_date)));
		for (let age = 0; age <= 17; age++) expect(ages.has(age), `age ${age}`).toBe(true);
		expect([...ages].some((age) => age >= 65)).toBe(true);
		expect(
			residents.some(
				(resident) => resident.status === 'moved_out' || resident.status === 'deceased'
			)
		).toBe(true);
		expect(residents.some((resident) => resident.resident_type === 'foreign')).toBe(true);
	});

	it('links guardians in the same household until the day before the 18th birthday', () => {
		const byAtena = new Map(residents.map((resident) => [resident.atena_number, resident]));
		const links = city.flatMap((household) => household.guardianships);
		expect(links.length).toBeGreaterThan(100);
		for (const link of links) {
			const child = byAtena.get(link.child_atena_number)!;
			const guardian = byAtena.get(link.guardian_atena_number)!;
			expect(guardian.household_number).toBe(child.household_number);
			expect(link.valid_until).toBe(addDays(addDuration(child.birth_date, 'P18Y'), -1));
			expect(link.valid_until >= asOf).toBe(true);
		}
		expect(links.some((link) => link.suppressed_for_dv)).toBe(true);
	});

	it('records every dose inside its eligibility window, before the as-of date and while a resident', () => {
		const byAtena = new Map(residents.map((resident) => [resident.atena_number, resident]));
		const doses = city.flatMap((household) => household.doses);
		expect(doses.length).toBeGreaterThan(5000);
		for (const dose of doses) {
			const person = byAtena.get(dose.atena_number)!;
			const window = routineSchedule
				.find((v) => v.vaccineCode === dose.vaccine_code)!
				.doses.find((d) => d.doseCode === dose.dose_code)!;
			expect(
				isEligibleOn(window, person.birth_date, dose.administered_on),
				`${dose.vaccine_code}/${dose.dose_code} ${person.birth_date} ${dose.administered_on}`
			).toBe(true);
			expect(dose.administered_on <= (person.removed_on ?? asOf)).toBe(true);
		}
		// Gaps: not every child has every dose.
		const children = residents.filter((resident) => resident.birth_date > '2021-01-01');
		const withMr1 = new Set(
			doses.filter((dose) => dose.vaccine_code === 'mr').map((dose) => dose.atena_number)
		);
		expect(children.filter((child) => !withMr1.has(child.atena_number)).length).toBeGreaterThan(0);
	});

	it('gives every resident a distinct, valid synthetic 個人番号', () => {
		const numbers = city.flatMap((household) => household.myNumbers.map((entry) => entry.value));
		expect(numbers).toHaveLength(residents.length);
		expect(new Set(numbers).size).toBe(numbers.length);
		expect(numbers.every(isValidMyNumber)).toBe(true);
		expect(demoMyNumber(0)).not.toBe(demoMyNumber(1));
	});
});
