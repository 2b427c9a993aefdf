// The city's catalogue as the database holds it (vaccine, vaccine_dose): what the schedule, the
// forms and the mailings read. catalogue.ts is the statutory schedule these rows are loaded from.
import type { Executor } from '../db';
import type { ScheduledDose } from './schedule';
import { sameCity } from '../db/same-city';

/** The city's active vaccines and doses in schedule order, with their windows. */
export function activeCatalogue(db: Executor, municipalityCode: string) {
	return db
		.selectFrom('vaccine_dose')
		.innerJoin('vaccine', (join) =>
			sameCity(join, ['vaccine.vaccine_code', 'vaccine_dose.vaccine_code'])
		)
		.select([
			'vaccine_dose.vaccine_code',
			'vaccine.category',
			'vaccine.name_ja',
			'vaccine.name_en',
			'vaccine.sort_order',
			'vaccine_dose.dose_code',
			'vaccine_dose.label_ja',
			'vaccine_dose.label_en',
			'vaccine_dose.sequence',
			'vaccine_dose.window_rule',
			'vaccine_dose.eligible_from',
			'vaccine_dose.eligible_until',
			'vaccine_dose.recommended_until',
			'vaccine_dose.repeats_yearly'
		])
		.where('vaccine_dose.municipality_code', '=', municipalityCode)
		.where('vaccine.active', '=', true)
		.orderBy('vaccine.sort_order')
		.orderBy('vaccine_dose.sequence')
		.execute();
}

/** The catalogue as the schedule rules read it. */
export function scheduledDoses(
	catalogue: Awaited<ReturnType<typeof activeCatalogue>>
): ScheduledDose[] {
	return catalogue.map((row) => ({
		vaccineCode: row.vaccine_code,
		category: row.category,
		doseCode: row.dose_code,
		sequence: row.sequence,
		windowRule: row.window_rule as ScheduledDose['windowRule'],
		eligibleFrom: row.eligible_from,
		eligibleUntil: row.eligible_until,
		recommendedUntil: row.recommended_until,
		repeatsYearly: row.repeats_yearly
	}));
}
