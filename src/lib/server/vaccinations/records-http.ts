// Request handling for keying returned 予診票 and checking others' entries (P7, ACC-1).
import { fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages';
import { recordAudit } from '../audit/record';
import { staffActor } from '../auth/http';
import { db } from '../db';
import { activeCatalogue } from './active-catalogue';
import { tokyoDate } from '../time';
import { requirePermission } from '../staff/permissions';
import { pendingDoseChanges } from './corrections';
import {
	checkDose,
	DoseCheckError,
	DoseEntryError,
	doseEntry,
	enterDose,
	pendingDoses
} from './records';
import { formOf } from '../http/form';

export async function recordsLoad(event: RequestEvent) {
	// Those who key 予診票 and those who check entries (an approver may only check) share the page.
	const staff = event.locals.staff?.permissions.has('vaccination.check')
		? event.locals.staff
		: requirePermission(event.locals, 'vaccination.enter');
	const [doses, institutions, pending, changes] = await Promise.all([
		activeCatalogue(db(), staff.municipalityCode),
		db()
			.selectFrom('medical_institution')
			.select(['institution_code', 'name_ja'])
			.where('municipality_code', '=', staff.municipalityCode)
			.where('active', '=', true)
			.orderBy('name_ja')
			.execute(),
		staff.permissions.has('vaccination.check')
			? pendingDoses(db(), { municipalityCode: staff.municipalityCode, viewerId: staff.id })
			: Promise.resolve(null),
		staff.permissions.has('vaccination.check')
			? pendingDoseChanges(db(), { municipalityCode: staff.municipalityCode, viewerId: staff.id })
			: Promise.resolve(null)
	]);
	if (pending) {
		await recordAudit(db(), {
			municipalityCode: staff.municipalityCode,
			actor: staffActor(event.locals),
			context: event.locals.audit,
			action: 'vaccination.view',
			result: 'ok',
			payload: { list: 'pending_check', rows: pending.length, changes: changes?.length ?? 0 }
		});
	}
	const url = event.url.searchParams;
	return {
		doses: doses.map((row) => ({
			value: `${row.vaccine_code}:${row.dose_code}`,
			label: `${row.name_ja} ${row.label_ja}`
		})),
		institutions: institutions.map((row) => ({ value: row.institution_code, label: row.name_ja })),
		canEnter: staff.permissions.has('vaccination.enter'),
		pending,
		changes,
		entered: url.has('entered'),
		checked: url.has('checked'),
		// Keying a stack of forms from one clinic: date and clinic stay for the next one.
		keep: { administeredOn: url.get('on') ?? '', institution: url.get('at') ?? '' }
	};
}

export const doseRefusalText: Record<string, () => string> = {
	person_unknown: m.dose_error_person_unknown,
	dose_unknown: m.dose_error_dose_unknown,
	date_before_birth: m.dose_error_before_birth,
	date_in_future: m.dose_error_future,
	dose_out_of_order: m.dose_error_out_of_order,
	dose_already_recorded: m.dose_error_already_recorded,
	institution_unknown: m.dose_error_institution_unknown,
	lot_format: m.dose_error_lot_format
};

export async function enterAction(event: RequestEvent) {
	const staff = requirePermission(event.locals, 'vaccination.enter');
	const form = Object.fromEntries(
		[...(await formOf(event.request)).entries()].map(([key, value]) => [
			key,
			String(value).slice(0, 100)
		])
	);
	const values = {
		atena: form.atena ?? '',
		dose: form.dose ?? '',
		administeredOn: form.administered_on ?? '',
		institution: form.institution ?? '',
		lot: form.lot ?? '',
		manufacturer: form.manufacturer ?? ''
	};
	const parsed = doseEntry.safeParse(values);
	if (!parsed.success) {
		const errors: Record<string, string> = {};
		for (const issue of parsed.error.issues) {
			const field = String(issue.path[0]);
			errors[field] ??= {
				atena: m.dose_error_person_unknown,
				dose: m.dose_error_dose_unknown,
				administeredOn: m.error_date_format,
				institution: m.dose_error_institution_unknown,
				lot: m.dose_error_lot_format,
				manufacturer: () => m.error_too_long({ max: 60 })
			}[field]!();
		}
		return fail(400, { values, errors });
	}
	try {
		await enterDose(db(), {
			municipalityCode: staff.municipalityCode,
			entry: parsed.data,
			actor: staffActor(event.locals),
			context: event.locals.audit,
			today: tokyoDate(new Date()),
			now: new Date()
		});
	} catch (failure) {
		if (!(failure instanceof DoseEntryError)) throw failure;
		const errors = Object.fromEntries(
			Object.entries(failure.errors).map(([field, code]) => [field, doseRefusalText[code!]!()])
		);
		return fail(400, { values, errors });
	}
	const keep = new URLSearchParams({
		entered: '1',
		on: values.administeredOn,
		at: values.institution
	});
	redirect(303, `/staff/vaccinations?${keep}`);
}

export async function checkAction(event: RequestEvent) {
	const staff = requirePermission(event.locals, 'vaccination.check');
	const id = String((await formOf(event.request)).get('id') ?? '');
	try {
		await checkDose(db(), {
			municipalityCode: staff.municipalityCode,
			id,
			actor: staffActor(event.locals),
			context: event.locals.audit,
			now: new Date()
		});
	} catch (failure) {
		if (!(failure instanceof DoseCheckError)) throw failure;
		return fail(400, {
			checkError: failure.code === 'own_entry' ? m.dose_check_own() : m.dose_check_not_pending()
		});
	}
	redirect(303, '/staff/vaccinations?checked=1');
}
