// Request handling for one recorded dose: its versions, and corrections and voids asked for by
// one person and applied or declined by another (P7, ACC-1).
import { actorOf } from '../audit/caller';
import { staffCaller } from '../http/caller';
import { error, fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages';
import { getLocale } from '$lib/paraglide/runtime';
import { recordAudit } from '../audit/record';
import { db } from '../db';
import { activeCatalogue } from './active-catalogue';
import { tokyoDate } from '../time';
import { requirePermission } from '../staff/permissions';
import {
	changeReason,
	decideDoseChange,
	DoseChangeError,
	doseCorrection,
	doseHistory,
	requestDoseChange,
	type DoseChangeRefusal,
	type DoseSnapshot
} from './corrections';
import { DoseEntryError } from './records';
import { doseRefusalText } from './records';
import { formOf } from '../http/form';

async function labels(municipalityCode: string) {
	const english = getLocale() === 'en';
	const [doses, institutions] = await Promise.all([
		activeCatalogue(db(), municipalityCode),
		db()
			.selectFrom('medical_institution')
			.select(['institution_code', 'name_ja', 'name_en', 'active'])
			.where('municipality_code', '=', municipalityCode)
			.orderBy('name_ja')
			.execute()
	]);
	const doseNames = new Map(
		doses.map((row) => [
			`${row.vaccine_code}:${row.dose_code}`,
			english ? `${row.name_en} ${row.label_en}` : `${row.name_ja} ${row.label_ja}`
		])
	);
	const institutionNames = new Map(
		institutions.map((row) => [row.institution_code, english ? row.name_en : row.name_ja])
	);
	return {
		doseOptions: [...doseNames].map(([value, label]) => ({ value, label })),
		institutionOptions: institutions
			.filter((row) => row.active)
			.map((row) => ({
				value: row.institution_code,
				label: institutionNames.get(row.institution_code)!
			})),
		show: (values: DoseSnapshot) => ({
			dose:
				doseNames.get(`${values.vaccineCode}:${values.doseCode}`) ??
				`${values.vaccineCode} ${values.doseCode}`,
			administeredOn: values.administeredOn,
			institution:
				(values.institutionCode && institutionNames.get(values.institutionCode)) ??
				values.institutionName ??
				'',
			lot: values.lotNumber ?? '',
			manufacturer: values.manufacturer ?? ''
		})
	};
}

export async function doseLoad(event: RequestEvent) {
	const staff = requirePermission(event.locals, 'vaccination.read');
	const dose = await doseHistory(db(), {
		municipalityCode: staff.municipalityCode,
		doseId: event.params.id ?? '',
		viewerId: staff.id
	});
	if (!dose) {
		// A guessed or another city's id: refused, and the attempt is on record.
		await recordAudit(db(), {
			municipalityCode: staff.municipalityCode,
			actor: actorOf(staffCaller(event.locals)),
			context: event.locals.audit,
			action: 'vaccination.view',
			objectType: 'vaccination_dose',
			objectId: (event.params.id ?? '').slice(0, 20),
			result: 'denied'
		});
		error(404, m.dose_not_found());
	}
	const [person, names] = await Promise.all([
		db()
			.selectFrom('resident')
			.select(['name_kanji', 'name_kana'])
			.where('municipality_code', '=', staff.municipalityCode)
			.where('atena_number', '=', dose.atena)
			.executeTakeFirstOrThrow(),
		labels(staff.municipalityCode)
	]);
	await recordAudit(db(), {
		municipalityCode: staff.municipalityCode,
		actor: actorOf(staffCaller(event.locals)),
		context: event.locals.audit,
		action: 'vaccination.view',
		subjectAtenaNumber: dose.atena,
		objectType: 'vaccination_dose',
		objectId: dose.id,
		result: 'ok',
		payload: { view: 'dose_history' }
	});
	const url = event.url.searchParams;
	return {
		id: dose.id,
		atena: dose.atena,
		name: person.name_kanji,
		kana: person.name_kana,
		current: names.show(dose.current),
		currentForm: {
			dose: `${dose.current.vaccineCode}:${dose.current.doseCode}`,
			administeredOn: dose.current.administeredOn,
			institution: dose.current.institutionCode ?? '',
			lot: dose.current.lotNumber ?? '',
			manufacturer: dose.current.manufacturer ?? ''
		},
		outsideInstitution: dose.current.institutionCode ? null : dose.current.institutionName,
		version: dose.version,
		voided: dose.voided,
		checked: dose.checked,
		versions: dose.versions.map((version) => ({
			...version,
			values: version.values ? names.show(version.values) : null
		})),
		open: dose.open && {
			...dose.open,
			before: names.show(dose.open.before),
			after: dose.open.after && names.show(dose.open.after)
		},
		changes: dose.changes
			.filter((change) => change.decision !== null)
			.map((change) => ({ ...change, before: undefined, after: undefined })),
		doseOptions: names.doseOptions,
		institutionOptions: names.institutionOptions,
		canRequest: staff.permissions.has('vaccination.correct') && !dose.voided && dose.open === null,
		canDecide: staff.permissions.has('vaccination.check') && dose.open !== null && !dose.open.own,
		done: url.get('done')
	};
}

const changeRefusalText: Record<DoseChangeRefusal, () => string> = {
	not_found: m.dose_not_found,
	voided: m.dose_change_voided,
	change_open: m.dose_change_open,
	no_difference: m.dose_change_no_difference,
	own_change: m.dose_change_own,
	not_open: m.dose_change_not_open,
	stale: m.dose_change_not_open
};

const fieldsOf = async (event: RequestEvent) =>
	Object.fromEntries(
		[...(await formOf(event.request)).entries()].map(([key, value]) => [
			key,
			String(value).slice(0, 500)
		])
	);

function refused(failure: unknown, form: string, values: Record<string, string>) {
	if (failure instanceof DoseChangeError) {
		return fail(409, { form, values, errors: {}, message: changeRefusalText[failure.code]() });
	}
	if (failure instanceof DoseEntryError) {
		const errors = Object.fromEntries(
			Object.entries(failure.errors).map(([field, code]) => [field, doseRefusalText[code!]!()])
		);
		return fail(400, { form, values, errors, message: m.dose_change_invalid() });
	}
	throw failure;
}

const done = (event: RequestEvent, what: string) =>
	redirect(303, `/staff/vaccinations/doses/${event.params.id}?done=${what}`);

/** Ask for a correction (corrected values + reason) or a void (reason). */
export async function requestAction(event: RequestEvent, kind: 'correct' | 'void') {
	const staff = requirePermission(event.locals, 'vaccination.correct');
	const form = await fieldsOf(event);
	const values = {
		dose: form.dose ?? '',
		administeredOn: form.administered_on ?? '',
		institution: form.institution ?? '',
		lot: form.lot ?? '',
		manufacturer: form.manufacturer ?? '',
		reason: form.reason ?? ''
	};
	const errors: Record<string, string> = {};
	const reason = changeReason.safeParse(values.reason);
	if (!reason.success) errors.reason = m.dose_change_reason_required();
	const correction = kind === 'correct' ? doseCorrection.safeParse(values) : null;
	if (correction && !correction.success) {
		for (const issue of correction.error.issues) {
			const field = String(issue.path[0]);
			errors[field] ??= {
				dose: m.dose_error_dose_unknown,
				administeredOn: m.error_date_format,
				institution: m.dose_error_institution_unknown,
				lot: m.dose_error_lot_format,
				manufacturer: () => m.error_too_long({ max: 60 })
			}[field]!();
		}
	}
	if (Object.keys(errors).length > 0 || !reason.success || (correction && !correction.success)) {
		return fail(400, { form: kind, values, errors, message: m.dose_change_invalid() });
	}
	try {
		await requestDoseChange(db(), {
			municipalityCode: staff.municipalityCode,
			doseId: event.params.id ?? '',
			change: correction ? { kind: 'correct', form: correction.data } : { kind: 'void' },
			reason: reason.data,
			actor: actorOf(staffCaller(event.locals)),
			context: event.locals.audit,
			today: tokyoDate(new Date()),
			now: new Date()
		});
	} catch (failure) {
		return refused(failure, kind, values);
	}
	done(event, 'requested');
}

/** A second person applies or declines the open change (declining says why). */
export async function decideAction(event: RequestEvent) {
	const staff = requirePermission(event.locals, 'vaccination.check');
	const form = await fieldsOf(event);
	const values = { change: form.change ?? '', note: (form.note ?? '').trim().slice(0, 400) };
	const decision = form.decision === 'apply' ? 'applied' : 'declined';
	if (decision === 'declined' && values.note === '') {
		return fail(400, {
			form: 'decide',
			values,
			errors: { note: m.dose_change_note_required() },
			message: m.dose_change_note_required()
		});
	}
	try {
		await decideDoseChange(db(), {
			municipalityCode: staff.municipalityCode,
			changeId: values.change,
			decision,
			note: values.note,
			actor: actorOf(staffCaller(event.locals)),
			context: event.locals.audit,
			today: tokyoDate(new Date()),
			now: new Date()
		});
	} catch (failure) {
		return refused(failure, 'decide', values);
	}
	done(event, decision);
}
