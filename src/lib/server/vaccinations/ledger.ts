// The back office's door to keying returned 予診票 into the 予防接種台帳 and checking others'
// entries (P7, ACC-1): the keying page with what awaits a check, a dose keyed, a dose checked.
import { m } from '$lib/paraglide/messages';
import { actorOf, auditAs, requirePermission, type Caller } from '../audit/caller';
import type { Executor } from '../db';
import { fieldErrors, InputRefused } from '../errors';
import { tokyoDate } from '../time';
import { activeCatalogue } from './active-catalogue';
import { pendingDoseChanges } from './corrections';
import { checkDose, doseEntry, enterDose, pendingDoses } from './records';

/** The catalogue and clinics to key against and, for a checker, what awaits their check. */
export async function ledgerDesk(db: Executor, caller: Caller) {
	// Those who key 予診票 and those who check entries (an approver may only check) share the page.
	requirePermission(
		caller,
		caller.type === 'staff' && caller.permissions.has('vaccination.check')
			? 'vaccination.check'
			: 'vaccination.enter'
	);
	const checker = caller.permissions.has('vaccination.check');
	const [doses, institutions, pending, changes] = await Promise.all([
		activeCatalogue(db, caller.municipalityCode),
		db
			.selectFrom('medical_institution')
			.select(['institution_code', 'name_ja'])
			.where('municipality_code', '=', caller.municipalityCode)
			.where('active', '=', true)
			.orderBy('name_ja')
			.execute(),
		checker
			? pendingDoses(db, { municipalityCode: caller.municipalityCode, viewerId: caller.id })
			: Promise.resolve(null),
		checker
			? pendingDoseChanges(db, { municipalityCode: caller.municipalityCode, viewerId: caller.id })
			: Promise.resolve(null)
	]);
	if (pending) {
		await auditAs(db, caller, {
			action: 'vaccination.view',
			result: 'ok',
			payload: { list: 'pending_check', rows: pending.length, changes: changes?.length ?? 0 }
		});
	}
	return {
		doses: doses.map((row) => ({
			value: `${row.vaccine_code}:${row.dose_code}`,
			label: `${row.name_ja} ${row.label_ja}`
		})),
		institutions: institutions.map((row) => ({ value: row.institution_code, label: row.name_ja })),
		canEnter: caller.permissions.has('vaccination.enter'),
		pending,
		changes
	};
}

const entryFieldMessages = {
	atena: m.dose_error_person_unknown,
	dose: m.dose_error_dose_unknown,
	administeredOn: m.error_date_format,
	institution: m.dose_error_institution_unknown,
	lot: m.dose_error_lot_format,
	manufacturer: () => m.error_too_long({ max: 60 })
};

/** A returned 予診票 keyed: it awaits a second person's check. */
export async function keyDose(
	db: Executor,
	caller: Caller,
	input: { entry: Record<string, string> },
	now = new Date()
): Promise<{ id: string }> {
	requirePermission(caller, 'vaccination.enter');
	const parsed = doseEntry.safeParse(input.entry);
	if (!parsed.success) throw new InputRefused(fieldErrors(parsed.error, entryFieldMessages));
	return enterDose(db, {
		municipalityCode: caller.municipalityCode,
		entry: parsed.data,
		actor: actorOf(caller),
		context: caller.context!,
		today: tokyoDate(now),
		now
	});
}

/** The second person's check of someone else's entry. */
export async function checkLedgerDose(
	db: Executor,
	caller: Caller,
	input: { id: string },
	now = new Date()
): Promise<void> {
	requirePermission(caller, 'vaccination.check');
	await checkDose(db, {
		municipalityCode: caller.municipalityCode,
		id: input.id,
		actor: actorOf(caller),
		context: caller.context!,
		now
	});
}
