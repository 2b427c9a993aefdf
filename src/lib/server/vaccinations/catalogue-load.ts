// Writes the national routine schedule (catalogue.ts) as a city's vaccine catalogue: for a new
// city (the demo) and for tests that need the real windows.
import type { Executor } from '../db';
import { routineSchedule } from './catalogue';

export async function insertRoutineSchedule(db: Executor, code: string): Promise<void> {
	for (const vaccine of routineSchedule) {
		await db
			.insertInto('vaccine')
			.values({
				municipality_code: code,
				vaccine_code: vaccine.vaccineCode,
				category: vaccine.category,
				name_ja: vaccine.nameJa,
				name_en: vaccine.nameEn,
				diseases_en: vaccine.diseasesEn,
				cvx_code: vaccine.cvx,
				sort_order: routineSchedule.indexOf(vaccine) + 1
			})
			.execute();
		await db
			.insertInto('vaccine_dose')
			.values(
				vaccine.doses.map((dose, index) => ({
					municipality_code: code,
					vaccine_code: vaccine.vaccineCode,
					dose_code: dose.doseCode,
					label_ja: dose.labelJa,
					label_en: dose.labelEn,
					sequence: index + 1,
					window_rule: dose.windowRule,
					eligible_from: dose.eligibleFrom,
					eligible_until: dose.eligibleUntil,
					recommended_from: dose.recommendedFrom ?? null,
					recommended_until: dose.recommendedUntil ?? null,
					min_interval_days: dose.minIntervalDays ?? null,
					repeats_yearly: dose.repeatsYearly ?? false,
					note_ja: dose.noteJa ?? null,
					note_en: dose.noteEn ?? null
				}))
			)
			.execute();
	}
}
