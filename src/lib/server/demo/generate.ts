// Generates the synthetic population of the demo city, deterministically from a seed and an
// "as of" date: households with children of every age, elderly residents, people who moved in,
// moved out or died, 法定代理人 links, and vaccination histories that follow the schedule with
// realistic gaps. Pure: it yields rows and writes nothing (load.ts writes them).
import {
	routineSchedule,
	type CatalogueDose,
	type CatalogueVaccine
} from '../vaccinations/catalogue';
import { eligibilityPeriod, seasonFor } from '../vaccinations/eligibility';
import { addDays, addDuration } from '../time';
import { myNumberCheckDigit } from '../mynumber/check-digit';
import { demoInstitutions } from './city';
import {
	femaleGivenNames,
	foreignFamilies,
	maleGivenNames,
	surnames,
	towns,
	type NamePart
} from './names';
import { Random } from './random';
import type { RegisterEntry } from '../residents/registry-feed';

/** A register entry (the residents domain's shape) with its 宛名番号 and the demo's e-mail. */
export type ResidentRow = RegisterEntry & { atena_number: string; email: string | null };

export type GuardianshipRow = {
	guardian_atena_number: string;
	child_atena_number: string;
	valid_from: string;
	valid_until: string;
	suppressed_for_dv: boolean;
};

export type DoseRow = {
	atena_number: string;
	vaccine_code: string;
	dose_code: string;
	administered_on: string;
	institution_code: string | null;
	institution_name: string | null;
	product_name: string;
	manufacturer: string;
	lot_number: string;
	dose_volume_ml: string | null;
	claimed_on: string | null;
	voucher_number: string;
};

export type Household = {
	residents: ResidentRow[];
	guardianships: GuardianshipRow[];
	doses: DoseRow[];
	myNumbers: { atena_number: string; value: string }[];
};

export type GenerateOptions = { seed: string; residents: number; asOf: string };

const products: Record<string, readonly (readonly [string, string])[]> = {
	dpt_ipv_hib: [
		['ゴービック', 'BIKEN'],
		['クイントバック', 'KMバイオロジクス']
	],
	dpt_ipv: [
		['テトラビック', 'BIKEN'],
		['クアトロバック', 'KMバイオロジクス']
	],
	hib: [['アクトヒブ', 'サノフィ']],
	pcv: [
		['バクニュバンス', 'MSD'],
		['プレベナー20', 'ファイザー']
	],
	hepatitis_b: [
		['ヘプタバックス-II', 'MSD'],
		['ビームゲン', 'KMバイオロジクス']
	],
	rotavirus: [
		['ロタリックス', 'GSK'],
		['ロタテック', 'MSD']
	],
	bcg: [['乾燥BCGワクチン', '日本ビーシージー製造']],
	mr: [
		['ミールビック', 'BIKEN'],
		['乾燥弱毒生麻しん風しん混合ワクチン「第一三共」', '第一三共']
	],
	varicella: [['乾燥弱毒生水痘ワクチン「ビケン」', 'BIKEN']],
	japanese_encephalitis: [
		['ジェービックV', 'BIKEN'],
		['エンセバック', 'KMバイオロジクス']
	],
	dt: [['DTビック', 'BIKEN']],
	hpv: [['シルガード9', 'MSD']],
	influenza_elderly: [
		['インフルエンザHAワクチン', 'KMバイオロジクス'],
		['インフルエンザHAワクチン', 'デンカ']
	],
	pneumococcal_elderly: [['ニューモバックスNP', 'MSD']],
	covid19_elderly: [
		['コミナティ', 'ファイザー'],
		['スパイクバックス', 'モデルナ']
	],
	herpes_zoster: [
		['シングリックス', 'GSK'],
		['乾燥弱毒生水痘ワクチン「ビケン」', 'BIKEN']
	]
};

/** Whether the child's cohort was on this vaccine's routine programme at all. */
function inProgramme(vaccine: string, birthDate: string, sex: 'male' | 'female'): boolean {
	switch (vaccine) {
		case 'dpt_ipv_hib':
			return birthDate >= '2024-02-01';
		case 'dpt_ipv':
		case 'hib':
			return birthDate >= '2012-06-01' && birthDate < '2024-02-01';
		case 'pcv':
			return birthDate >= '2013-02-01';
		case 'hepatitis_b':
			return birthDate >= '2016-04-01';
		case 'rotavirus':
			return birthDate >= '2020-08-01';
		case 'varicella':
			return birthDate >= '2011-10-01';
		case 'hpv':
			return sex === 'female';
		default:
			return true;
	}
}

// Share of children who get each vaccine at all: the gaps a real ledger shows.
const uptake: Record<string, number> = {
	dpt_ipv_hib: 0.97,
	dpt_ipv: 0.97,
	hib: 0.96,
	pcv: 0.96,
	hepatitis_b: 0.95,
	rotavirus: 0.9,
	bcg: 0.97,
	mr: 0.96,
	varicella: 0.92,
	japanese_encephalitis: 0.85,
	dt: 0.8,
	hpv: 0.35
};

export function demoMyNumber(index: number): string {
	// A bijection on 11-digit numbers (7919 is coprime with 10^11), so every resident's is unique.
	const first11 = String((index * 7919 + 30_000_000_001) % 100_000_000_000).padStart(11, '0');
	return `${first11}${myNumberCheckDigit(first11)}`;
}

export function* generateHouseholds(options: GenerateOptions): Generator<Household> {
	const random = new Random(`sakuradai:${options.seed}`);
	const asOf = options.asOf;
	const asOfYear = Number(asOf.slice(0, 4));
	let atena = 1_000_000_000;
	let householdIndex = 0;
	let made = 0;

	const dateBetween = (from: string, until: string): string => {
		const start = Date.parse(`${from}T00:00:00Z`);
		const end = Date.parse(`${until}T00:00:00Z`);
		return new Date(
			start + Math.floor(random.next() * Math.max(1, (end - start) / 86_400_000)) * 86_400_000
		)
			.toISOString()
			.slice(0, 10);
	};
	const birthForAge = (age: number): string =>
		dateBetween(`${asOfYear - age - 1}-${asOf.slice(5)}`, `${asOfYear - age}-${asOf.slice(5)}`);

	while (made < options.residents) {
		householdIndex++;
		const householdNumber = String(500_000_000 + householdIndex);
		const town = random.pick(towns);
		const address = `東京都さくら台市${town.name}${random.int(1, 5)}丁目${random.int(1, 30)}番${random.int(1, 20)}号${
			random.chance(0.35) ? `　さくらハイツ${random.int(1, 9)}0${random.int(1, 9)}号室` : ''
		}`;
		const foreign = random.chance(0.03) ? random.pick(foreignFamilies) : null;
		const family: NamePart = foreign ? foreign.surname : random.pick(surnames);
		const movedIn = random.chance(0.45);
		const householdSince = movedIn ? dateBetween(`${asOfYear - 15}-01-01`, asOf) : null;
		const shape = random.weighted([
			['single', 30],
			['couple', 18],
			['family', 37],
			['elderly_couple', 10],
			['three_generations', 5]
		] as const);

		type Member = {
			relationship: string;
			age: number;
			sex: 'male' | 'female';
			head: boolean;
			parent?: boolean;
		};
		const members: Member[] = [];
		const headSex = random.chance(0.8) ? 'male' : 'female';
		const spouseRelation = (sex: 'male' | 'female') => (sex === 'male' ? '夫' : '妻');
		if (shape === 'single') {
			members.push({
				relationship: '世帯主',
				age: random.weighted([
					[random.int(19, 39), 4],
					[random.int(40, 64), 3],
					[random.int(65, 95), 3]
				] as const),
				sex: random.chance(0.5) ? 'male' : 'female',
				head: true
			});
		} else if (shape === 'couple' || shape === 'elderly_couple') {
			const age = shape === 'couple' ? random.int(24, 64) : random.int(65, 92);
			members.push({ relationship: '世帯主', age, sex: headSex, head: true });
			members.push({
				relationship: spouseRelation(headSex === 'male' ? 'female' : 'male'),
				age: Math.max(19, age + random.int(-5, 5)),
				sex: headSex === 'male' ? 'female' : 'male',
				head: false
			});
		} else {
			const children = random.weighted([
				[1, 35],
				[2, 45],
				[3, 17],
				[4, 3]
			] as const);
			// Children of every age 0–17 appear evenly; parents are 22–45 years older than the eldest.
			const eldest = random.int(0, 17);
			const parentAge = eldest + random.int(24, 40);
			members.push({
				relationship: '世帯主',
				age: parentAge,
				sex: headSex,
				head: true,
				parent: true
			});
			if (random.chance(0.88)) {
				members.push({
					relationship: spouseRelation(headSex === 'male' ? 'female' : 'male'),
					age: Math.max(19, parentAge + random.int(-4, 4)),
					sex: headSex === 'male' ? 'female' : 'male',
					head: false,
					parent: true
				});
			}
			let age = eldest;
			for (let i = 0; i < children && age >= 0; i++) {
				members.push({
					relationship: '子',
					age,
					sex: random.chance(0.5) ? 'male' : 'female',
					head: false
				});
				age -= random.int(1, 4);
			}
			if (shape === 'three_generations') {
				members.push({
					relationship: random.chance(0.6) ? '母' : '父',
					age: parentAge + random.int(25, 35),
					sex: random.chance(0.6) ? 'female' : 'male',
					head: false
				});
			}
		}

		const household: Household = { residents: [], guardianships: [], doses: [], myNumbers: [] };
		const parents: ResidentRow[] = [];
		for (const member of members) {
			atena++;
			const birthDate = birthForAge(member.age);
			const given = foreign
				? random.pick(member.sex === 'male' ? foreign.male : foreign.female)
				: random.pick(member.sex === 'male' ? maleGivenNames : femaleGivenNames);
			const bornHere = !householdSince || birthDate > householdSince;
			const becameResidentOn = bornHere ? birthDate : householdSince!;
			const deceased = member.age >= 75 && random.chance(0.02);
			const movedOut = !deceased && member.age >= 18 && random.chance(0.015);
			const removedOn =
				deceased || movedOut
					? dateBetween(
							addDays(becameResidentOn, 1) > asOf ? asOf : addDays(becameResidentOn, 1),
							asOf
						)
					: null;
			const separator = foreign ? ' ' : '　';
			const resident: ResidentRow = {
				atena_number: String(atena),
				household_number: householdNumber,
				is_household_head: member.head,
				relationship: member.relationship,
				name_kanji: `${family[0]}${separator}${given[0]}`,
				name_kana: `${family[1]}　${given[1]}`,
				name_romaji: foreign || random.chance(0.1) ? `${family[2]} ${given[2]}` : null,
				birth_date: birthDate,
				sex: member.sex,
				postal_code: town.postalCode,
				address,
				resident_type: foreign ? 'foreign' : 'japanese',
				status: deceased ? 'deceased' : movedOut ? 'moved_out' : 'resident',
				became_resident_on: becameResidentOn,
				became_resident_reason: bornHere ? 'birth' : 'moved_in',
				address_set_on: becameResidentOn,
				foreign_resident_on: foreign ? becameResidentOn : null,
				removed_on: removedOn,
				phone:
					member.age >= 18 && random.chance(0.6)
						? `090-${random.int(1000, 9999)}-${random.int(1000, 9999)}`
						: null,
				email: member.age >= 18 && random.chance(0.3) ? `resident${atena}@mail.example` : null
			};
			household.residents.push(resident);
			household.myNumbers.push({
				atena_number: resident.atena_number,
				value: demoMyNumber(atena - 1_000_000_000)
			});
			if (member.parent) parents.push(resident);
			if (member.relationship === '子') {
				for (const parent of parents) {
					if (parent.status !== 'resident') continue;
					household.guardianships.push({
						guardian_atena_number: parent.atena_number,
						child_atena_number: resident.atena_number,
						valid_from: resident.became_resident_on,
						valid_until: addDays(addDuration(birthDate, 'P18Y'), -1),
						suppressed_for_dv: random.chance(0.005)
					});
				}
			}
			household.doses.push(...dosesFor(resident, member.age, random, asOf, householdSince));
		}
		made += household.residents.length;
		yield household;
	}
}

function dosesFor(
	resident: ResidentRow,
	age: number,
	random: Random,
	asOf: string,
	movedInOn: string | null
): DoseRow[] {
	const doses: DoseRow[] = [];
	const end = resident.removed_on ?? asOf;
	const give = (
		vaccine: CatalogueVaccine,
		dose: CatalogueDose,
		on: string,
		product: readonly [string, string]
	) => {
		const before = movedInOn !== null && on < movedInOn;
		const institution = random.pick(demoInstitutions);
		doses.push({
			atena_number: resident.atena_number,
			vaccine_code: vaccine.vaccineCode,
			dose_code: dose.doseCode,
			administered_on: on,
			institution_code: before ? null : institution.institution_code,
			institution_name: before ? '転入前の市区町村の医療機関' : null,
			product_name: product[0],
			manufacturer: product[1],
			lot_number: `${String.fromCharCode(65 + random.int(0, 25))}${String.fromCharCode(65 + random.int(0, 25))}${random.int(100, 999)}`,
			dose_volume_ml:
				vaccine.vaccineCode === 'bcg'
					? null
					: vaccine.vaccineCode === 'rotavirus'
						? '1.50'
						: '0.50',
			claimed_on: before ? null : addDays(on, random.int(10, 40)),
			voucher_number: `${resident.atena_number.slice(-6)}${vaccine.vaccineCode.length}${random.int(1000, 9999)}`
		});
	};

	if (age <= 18) {
		for (const vaccine of routineSchedule.filter((v) => v.category === 'A')) {
			if (!inProgramme(vaccine.vaccineCode, resident.birth_date, resident.sex)) continue;
			if (!random.chance(uptake[vaccine.vaccineCode] ?? 0.9)) continue;
			const product = random.pick(products[vaccine.vaccineCode]!);
			let previous: string | null = null;
			for (const dose of vaccine.doses) {
				if (
					vaccine.vaccineCode === 'rotavirus' &&
					dose.doseCode === 'dose_3' &&
					product[0] !== 'ロタテック'
				)
					break;
				const period = eligibilityPeriod(dose, resident.birth_date);
				const earliest = [
					dose.recommendedFrom
						? addDuration(resident.birth_date, dose.recommendedFrom)
						: period.from,
					period.from,
					previous ? addDays(previous, dose.minIntervalDays ?? 1) : period.from
				]
					.sort()
					.at(-1)!;
				const on = addDays(earliest, random.int(0, 45));
				if ((period.until && on >= period.until) || on > end) break;
				// A later dose is sometimes missed and never caught up: the series stops there.
				if (previous && random.chance(0.03)) break;
				give(vaccine, dose, on, product);
				previous = on;
			}
		}
	}
	if (age >= 65) {
		const flu = routineSchedule.find((v) => v.vaccineCode === 'influenza_elderly')!;
		const covid = routineSchedule.find((v) => v.vaccineCode === 'covid19_elderly')!;
		for (let back = 0; back < 3; back++) {
			const season = seasonFor(`${Number(asOf.slice(0, 4)) - back}-11-01`);
			const onFlu = addDays(season.from, random.int(0, 60));
			if (
				onFlu <= end &&
				eligibilityPeriod(flu.doses[0]!, resident.birth_date).from <= onFlu &&
				random.chance(0.55)
			) {
				give(flu, flu.doses[0]!, onFlu, random.pick(products.influenza_elderly!));
			}
			const onCovid = addDays(season.from, random.int(0, 60));
			if (
				season.from >= '2024-10-01' &&
				onCovid <= end &&
				eligibilityPeriod(covid.doses[0]!, resident.birth_date).from <= onCovid &&
				random.chance(0.25)
			) {
				give(covid, covid.doses[0]!, onCovid, random.pick(products.covid19_elderly!));
			}
		}
		for (const code of ['pneumococcal_elderly', 'herpes_zoster'] as const) {
			const vaccine = routineSchedule.find((v) => v.vaccineCode === code)!;
			const first = vaccine.doses[0]!;
			const period = eligibilityPeriod(first, resident.birth_date);
			if (code === 'herpes_zoster' && period.from < '2025-04-01') continue;
			if (!random.chance(code === 'herpes_zoster' ? 0.3 : 0.4)) continue;
			const on = addDays(period.from, random.int(20, 300));
			if (on > end || (period.until && on >= period.until)) continue;
			const product = random.pick(products[code]!);
			give(vaccine, first, on, product);
			if (code === 'herpes_zoster' && product[0] === 'シングリックス') {
				const second = addDays(on, random.int(60, 120));
				if (second <= end) give(vaccine, vaccine.doses[1]!, second, product);
			}
		}
	}
	return doses;
}
