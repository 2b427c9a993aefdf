// The relief catalogue's yearly figures: benefit amounts are set by cabinet order each fiscal
// year, so officers add the new year's rows with their effective date (older rows stay for
// claims about earlier periods), and set after how many days a case counts as stalled.
import { fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { z } from 'zod';
import { m } from '$lib/paraglide/messages';
import { getLocale } from '$lib/paraglide/runtime';
import { recordAudit } from '../audit/record';
import { staffActor } from '../auth/http';
import { db } from '../db';
import { requirePermission } from '../staff/permissions';
import { formOf } from '../http/form';

export async function settingsLoad(event: RequestEvent) {
	const staff = requirePermission(event.locals, 'relief.handle');
	const english = getLocale() === 'en';
	const [benefits, amounts, municipality] = await Promise.all([
		db().selectFrom('relief_benefit').selectAll().orderBy('sort_order').execute(),
		db()
			.selectFrom('relief_benefit_amount')
			.selectAll()
			.orderBy('benefit_code')
			.orderBy('category')
			.orderBy('grade')
			.orderBy('effective_from', 'desc')
			.execute(),
		db()
			.selectFrom('municipality')
			.select('relief_stall_days')
			.where('municipality_code', '=', staff.municipalityCode)
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
		})),
		done: event.url.searchParams.has('saved')
	};
}

const amountForm = z.object({
	benefit: z.string().min(1),
	category: z.enum(['A', 'B', 'temporary']),
	grade: z.enum(['', '1級', '2級', '3級']),
	from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
	amount: z.coerce.number().int().positive().max(1_000_000_000),
	unit: z.enum(['month', 'year', 'once'])
});

export async function addAmountAction(event: RequestEvent) {
	const staff = requirePermission(event.locals, 'relief.handle');
	const form = Object.fromEntries(
		[...(await formOf(event.request)).entries()].map(([key, value]) => [
			key,
			String(value).slice(0, 40)
		])
	);
	const parsed = amountForm.safeParse(form);
	const benefit = parsed.success
		? await db()
				.selectFrom('relief_benefit')
				.select(['code', 'categories'])
				.where('code', '=', parsed.data.benefit)
				.executeTakeFirst()
		: undefined;
	if (!parsed.success || !benefit || !benefit.categories.includes(parsed.data.category)) {
		return fail(400, { values: form, message: m.relief_settings_invalid() });
	}
	const row = parsed.data;
	await db()
		.transaction()
		.execute(async (trx) => {
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
			await recordAudit(trx, {
				municipalityCode: staff.municipalityCode,
				actor: staffActor(event.locals),
				context: event.locals.audit,
				action: 'relief.settings',
				reason: 'amount',
				result: 'ok',
				payload: { ...row }
			});
		});
	redirect(303, '/staff/relief/settings?saved=1');
}

export async function stallDaysAction(event: RequestEvent) {
	const staff = requirePermission(event.locals, 'relief.handle');
	const days = Number((await formOf(event.request)).get('days'));
	if (!Number.isInteger(days) || days < 1 || days > 365) {
		return fail(400, { message: m.relief_settings_invalid() });
	}
	await db()
		.transaction()
		.execute(async (trx) => {
			await trx
				.updateTable('municipality')
				.set({ relief_stall_days: days })
				.where('municipality_code', '=', staff.municipalityCode)
				.execute();
			await recordAudit(trx, {
				municipalityCode: staff.municipalityCode,
				actor: staffActor(event.locals),
				context: event.locals.audit,
				action: 'relief.settings',
				reason: 'stall_days',
				result: 'ok',
				payload: { days }
			});
		});
	redirect(303, '/staff/relief/settings?saved=1');
}
