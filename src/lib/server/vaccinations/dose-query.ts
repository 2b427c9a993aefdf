// One way to read doses with what they name: the ledger row (d), its dose in the city's catalogue
// (vd), the vaccine (v) and, when the dose was given at a contracted institution, that institution
// (i). The foreign keys of vaccination_dose make the inner joins drop nothing; the institution is
// a left join because a dose given elsewhere has only a name.
import type { Executor } from '../db';
import { sameCity } from '../db/same-city';

export function dosesWithVaccine(db: Executor) {
	return db
		.selectFrom('vaccination_dose as d')
		.innerJoin('vaccine_dose as vd', (join) =>
			sameCity(join, ['vd.vaccine_code', 'd.vaccine_code'], ['vd.dose_code', 'd.dose_code'])
		)
		.innerJoin('vaccine as v', (join) => sameCity(join, ['v.vaccine_code', 'vd.vaccine_code']))
		.leftJoin('medical_institution as i', (join) =>
			sameCity(join, ['i.institution_code', 'd.institution_code'])
		);
}
