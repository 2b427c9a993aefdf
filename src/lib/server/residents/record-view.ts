// A person's 予防接種の記録 as a page shows it — the doses on record with their names in the page's
// language, and what is due next — worked out from the catalogue and the doses alone, so the back
// office (from its tables) and the portal (from the projection, issue 27) show the same thing.
import type { Executor } from '../db';
import { sameCity } from '../db/same-city';
import { scheduledDoses, type activeCatalogue } from '../vaccinations/active-catalogue';
import { dueDoses, type DueDose } from '../vaccinations/schedule';
import type { ProjectedDose } from '../zone/shapes';

export type RecordedDose = {
	id: string;
	vaccineCode: string;
	doseCode: string;
	vaccineName: string;
	doseLabel: string;
	/** A類 / B類 / 行政措置 (only routine A and B doses fall under relief by the Act). */
	category: 'A' | 'B' | 'administrative' | null;
	administeredOn: string;
	institution: string | null;
	pendingCheck: boolean;
};

export type PersonRecord = {
	history: RecordedDose[];
	due: (DueDose & { vaccineName: string; doseLabel: string })[];
};

type CatalogueRows = Awaited<ReturnType<typeof activeCatalogue>>;

/** Where a person is on the register: their city and 宛名番号. */
type PersonKey = { municipality_code: string; atena_number: string };
export const personKey = (person: PersonKey) =>
	`${person.municipality_code}:${person.atena_number}`;

/**
 * The doses on record (the 予防接種台帳) of the people named, newest first, as the record shows
 * them, by `personKey`: one read for all of them.
 */
export async function dosesOnRecord(
	db: Executor,
	people: readonly PersonKey[]
): Promise<Map<string, ProjectedDose[]>> {
	const byPerson = new Map<string, ProjectedDose[]>();
	if (people.length === 0) return byPerson;
	const doses = await db
		.selectFrom('vaccination_dose')
		.leftJoin('medical_institution', (join) =>
			sameCity(join, ['medical_institution.institution_code', 'vaccination_dose.institution_code'])
		)
		.select([
			'vaccination_dose.id',
			'vaccination_dose.municipality_code',
			'vaccination_dose.atena_number',
			'vaccination_dose.vaccine_code',
			'vaccination_dose.dose_code',
			'vaccination_dose.administered_on',
			'vaccination_dose.product_name',
			'vaccination_dose.institution_name',
			'vaccination_dose.checked_at',
			'medical_institution.name_ja as institution_ja',
			'medical_institution.name_en as institution_en'
		])
		.where(({ eb, refTuple, tuple }) =>
			eb(
				refTuple('vaccination_dose.municipality_code', 'vaccination_dose.atena_number'),
				'in',
				people.map((person) => tuple(person.municipality_code, person.atena_number))
			)
		)
		.where('vaccination_dose.status', '=', 'administered')
		.where('vaccination_dose.voided_at', 'is', null)
		.orderBy('vaccination_dose.administered_on', 'desc')
		.orderBy('vaccination_dose.id', 'desc')
		.execute();
	for (const dose of doses) {
		const list = byPerson.get(personKey(dose)) ?? [];
		list.push({
			id: String(dose.id),
			vaccineCode: dose.vaccine_code,
			doseCode: dose.dose_code,
			administeredOn: dose.administered_on,
			productName: dose.product_name,
			institutionJa: dose.institution_ja ?? dose.institution_name,
			institutionEn: dose.institution_en ?? dose.institution_name,
			pendingCheck: dose.checked_at === null
		});
		byPerson.set(personKey(dose), list);
	}
	return byPerson;
}

/** The records of several people in the order given, newest dose first as the doses come. */
export function recordsOf(
	catalogue: CatalogueRows,
	people: readonly { birthDate: string; sex: string; doses: readonly ProjectedDose[] }[],
	locale: 'ja' | 'en',
	today: string
): PersonRecord[] {
	const key = (vaccine: string, dose: string) => `${vaccine}:${dose}`;
	const names = new Map(
		catalogue.map((row) => [
			key(row.vaccine_code, row.dose_code),
			{
				vaccine: locale === 'en' ? row.name_en : row.name_ja,
				dose: locale === 'en' ? row.label_en : row.label_ja,
				category: row.category as RecordedDose['category']
			}
		])
	);
	const scheduled = scheduledDoses(catalogue);
	return people.map((person) => {
		const due = dueDoses(
			scheduled,
			person.doses.map((dose) => ({
				vaccineCode: dose.vaccineCode,
				doseCode: dose.doseCode,
				administeredOn: dose.administeredOn,
				productName: dose.productName
			})),
			{ birthDate: person.birthDate, sex: person.sex as 'male' | 'female' },
			today
		);
		return {
			history: person.doses.map((dose) => {
				const named = names.get(key(dose.vaccineCode, dose.doseCode));
				return {
					id: dose.id,
					vaccineCode: dose.vaccineCode,
					doseCode: dose.doseCode,
					vaccineName: named?.vaccine ?? dose.vaccineCode,
					doseLabel: named?.dose ?? dose.doseCode,
					category: named?.category ?? null,
					administeredOn: dose.administeredOn,
					institution: locale === 'en' ? dose.institutionEn : dose.institutionJa,
					pendingCheck: dose.pendingCheck
				};
			}),
			due: due.map((dose) => ({
				...dose,
				vaccineName: names.get(key(dose.vaccineCode, dose.doseCode))?.vaccine ?? dose.vaccineCode,
				doseLabel: names.get(key(dose.vaccineCode, dose.doseCode))?.dose ?? dose.doseCode
			}))
		};
	});
}
