// One recorded dose as the staff screen works it: its versions, and corrections and voids asked
// for by one person and applied or declined by another (P7, ACC-1). Every view is audited, a
// refused one too (a guessed or another city's id); each change in its transaction (corrections.ts).
import { m } from '$lib/paraglide/messages';
import { actorOf, auditAs, requirePermission, type Caller } from '../audit/caller';
import type { Executor } from '../db';
import { tokyoDate } from '../time';
import { activeCatalogue } from './active-catalogue';
import {
	changeReason,
	decideDoseChange,
	DoseChangeError,
	doseCorrection,
	doseHistory,
	requestDoseChange,
	type DoseSnapshot
} from './corrections';
import { DoseEntryError } from './records';

/** The catalogue's doses and the city's institutions, named in the reader's language. */
async function labels(db: Executor, municipalityCode: string, locale: 'ja' | 'en') {
	const english = locale === 'en';
	const [doses, institutions] = await Promise.all([
		activeCatalogue(db, municipalityCode),
		db
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

/** The dose with every version, its open change, and what this staff member may do with it. */
export async function doseFile(
	db: Executor,
	caller: Caller,
	input: { id: string; locale: 'ja' | 'en' }
) {
	requirePermission(caller, 'vaccination.read');
	const dose = await doseHistory(db, {
		municipalityCode: caller.municipalityCode,
		doseId: input.id,
		viewerId: caller.id
	});
	if (!dose) {
		// A guessed or another city's id: refused, and the attempt is on record.
		await auditAs(db, caller, {
			action: 'vaccination.view',
			objectType: 'vaccination_dose',
			objectId: input.id.slice(0, 20),
			result: 'denied'
		});
		throw new DoseChangeError('not_found');
	}
	const [person, names] = await Promise.all([
		db
			.selectFrom('resident')
			.select(['name_kanji', 'name_kana'])
			.where('municipality_code', '=', caller.municipalityCode)
			.where('atena_number', '=', dose.atena)
			.executeTakeFirstOrThrow(),
		labels(db, caller.municipalityCode, input.locale)
	]);
	await auditAs(db, caller, {
		action: 'vaccination.view',
		subjectAtenaNumber: dose.atena,
		objectType: 'vaccination_dose',
		objectId: dose.id,
		result: 'ok',
		payload: { view: 'dose_history' }
	});
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
		canRequest: caller.permissions.has('vaccination.correct') && !dose.voided && dose.open === null,
		canDecide: caller.permissions.has('vaccination.check') && dose.open !== null && !dose.open.own
	};
}

/** The correction form as typed (a void uses the reason only). */
export type DoseChangeForm = {
	dose: string;
	administeredOn: string;
	institution: string;
	lot: string;
	manufacturer: string;
	reason: string;
};

const correctionFieldText: Record<string, () => string> = {
	dose: m.dose_error_dose_unknown,
	administeredOn: m.error_date_format,
	institution: m.dose_error_institution_unknown,
	lot: m.dose_error_lot_format,
	manufacturer: () => m.error_too_long({ max: 60 })
};

/** Asks for a correction (corrected values and a reason) or a void (a reason). */
export async function askDoseChange(
	db: Executor,
	caller: Caller,
	input: { id: string; kind: 'correct' | 'void'; values: DoseChangeForm }
): Promise<void> {
	requirePermission(caller, 'vaccination.correct');
	const { values } = input;
	const errors: Record<string, string> = {};
	const reason = changeReason.safeParse(values.reason);
	if (!reason.success) errors.reason = m.dose_change_reason_required();
	const correction = input.kind === 'correct' ? doseCorrection.safeParse(values) : null;
	if (correction && !correction.success) {
		for (const issue of correction.error.issues) {
			const field = String(issue.path[0]);
			errors[field] ??= (correctionFieldText[field] ?? m.error_invalid_value)();
		}
	}
	if (!reason.success || (correction && !correction.success)) {
		throw new DoseChangeError('invalid', errors);
	}
	try {
		await requestDoseChange(db, {
			municipalityCode: caller.municipalityCode,
			doseId: input.id,
			change: correction ? { kind: 'correct', form: correction.data } : { kind: 'void' },
			reason: reason.data,
			actor: actorOf(caller),
			context: caller.context,
			today: tokyoDate(new Date()),
			now: new Date()
		});
	} catch (failure) {
		// The ledger's own rules (a date before birth, a bad lot …), by field.
		if (failure instanceof DoseEntryError) throw new DoseChangeError('invalid', failure.fields);
		throw failure;
	}
}

/** A second person applies or declines the open change (declining says why). */
export async function decideDoseChangeFor(
	db: Executor,
	caller: Caller,
	input: { changeId: string; apply: boolean; note: string }
): Promise<'applied' | 'declined'> {
	requirePermission(caller, 'vaccination.check');
	const decision = input.apply ? 'applied' : 'declined';
	if (decision === 'declined' && input.note === '') {
		throw new DoseChangeError('note_required', { note: m.dose_change_note_required() });
	}
	try {
		await decideDoseChange(db, {
			municipalityCode: caller.municipalityCode,
			changeId: input.changeId,
			decision,
			note: input.note,
			actor: actorOf(caller),
			context: caller.context,
			today: tokyoDate(new Date()),
			now: new Date()
		});
	} catch (failure) {
		if (failure instanceof DoseEntryError) throw new DoseChangeError('invalid', failure.fields);
		throw failure;
	}
	return decision;
}
