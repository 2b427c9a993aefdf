// The relief catalogue's yearly figures: benefit amounts are set by cabinet order each fiscal
// year, so officers add the new year's rows with their effective date (older rows stay for
// claims about earlier periods), and set after how many days a case counts as stalled.
import { z } from 'zod';
import { m } from '$lib/paraglide/messages';
import { auditAs, requirePermission, type Caller } from '../audit/caller';
import type { Executor } from '../db';
import { DomainError } from '../errors';

export class ReliefSettingsError extends DomainError<'invalid'> {
	protected readonly messages = { invalid: m.relief_settings_invalid };
}

/**
 * The benefits, their amounts by year and the stall threshold.
 * @audit none — the catalogue and the city's settings, nothing about a person
 */
export async function reliefSettings(db: Executor, caller: Caller, input: { locale: 'ja' | 'en' }) {
	requirePermission(caller, 'relief.handle');
	const english = input.locale === 'en';
	const [benefits, amounts, municipality] = await Promise.all([
		db.selectFrom('relief_benefit').selectAll().orderBy('sort_order').execute(),
		db
			.selectFrom('relief_benefit_amount')
			.selectAll()
			.orderBy('benefit_code')
			.orderBy('category')
			.orderBy('grade')
			.orderBy('effective_from', 'desc')
			.execute(),
		db
			.selectFrom('municipality')
			.select('relief_stall_days')
			.where('municipality_code', '=', caller.municipalityCode)
			.executeTakeFirstOrThrow()
	]);
	const name = new Map(benefits.map((row) => [row.code, english ? row.name_en : row.name_ja]));
	return {
		stallDays: municipality.relief_stall_days,
		benefits: benefits.map((row) => ({
			code: row.code,
			name: name.get(row.code)!,
			claimant: row.claimant,
			recurring: row.recurring,
			limit: row.claim_limit_years,
			documents: row.documents
		})),
		amounts: amounts.map((row) => ({
			benefit: name.get(row.benefit_code) ?? row.benefit_code,
			category: row.category,
			grade: row.grade,
			from: row.effective_from,
			amount: row.amount_yen,
			unit: row.unit
		}))
	};
}

export const amountForm = z.object({
	benefit: z.string().min(1),
	category: z.enum(['A', 'B', 'temporary']),
	grade: z.enum(['', '1級', '2級', '3級']),
	from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
	amount: z.coerce.number().int().positive().max(1_000_000_000),
	unit: z.enum(['month', 'year', 'once'])
});

/** A benefit's amount from a date (a new fiscal year's cabinet order), or a correction of one. */
export async function setBenefitAmount(
	db: Executor,
	caller: Caller,
	input: Record<string, string>
): Promise<void> {
	requirePermission(caller, 'relief.handle');
	const parsed = amountForm.safeParse(input);
	const benefit = parsed.success
		? await db
				.selectFrom('relief_benefit')
				.select(['code', 'categories'])
				.where('code', '=', parsed.data.benefit)
				.executeTakeFirst()
		: undefined;
	if (!parsed.success || !benefit || !benefit.categories.includes(parsed.data.category)) {
		throw new ReliefSettingsError('invalid');
	}
	const row = parsed.data;
	await db.transaction().execute(async (trx) => {
		await trx
			.insertInto('relief_benefit_amount')
			.values({
				benefit_code: row.benefit,
				category: row.category,
				grade: row.grade,
				effective_from: row.from,
				amount_yen: row.amount,
				unit: row.unit
			})
			.onConflict((conflict) =>
				conflict
					.columns(['benefit_code', 'category', 'grade', 'effective_from'])
					.doUpdateSet({ amount_yen: row.amount, unit: row.unit })
			)
			.execute();
		await auditAs(trx, caller, {
			action: 'relief.settings',
			reason: 'amount',
			result: 'ok',
			payload: { ...row }
		});
	});
}

/** After how many days without a step a relief case counts as stalled. */
export async function setStallDays(
	db: Executor,
	caller: Caller,
	input: { days: string }
): Promise<void> {
	requirePermission(caller, 'relief.handle');
	const days = Number(input.days);
	if (!Number.isInteger(days) || days < 1 || days > 365) {
		throw new ReliefSettingsError('invalid');
	}
	await db.transaction().execute(async (trx) => {
		await trx
			.updateTable('municipality')
			.set({ relief_stall_days: days })
			.where('municipality_code', '=', caller.municipalityCode)
			.execute();
		await auditAs(trx, caller, {
			action: 'relief.settings',
			reason: 'stall_days',
			result: 'ok',
			payload: { days }
		});
	});
}
