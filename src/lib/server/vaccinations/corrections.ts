// Corrections and voids of recorded doses (P7, ACC-1). One person asks, with a reason; the dose
// keeps its current values (what residents and certificates see) until a different person
// applies the change. Every change keeps the values before and after it, so each version of the
// dose can be shown again. The database refuses a decision by the requester, a second open change
// on a dose, and any rewrite of a decided change (migrations/0017).
import { sql } from 'kysely';
import { z } from 'zod';
import { recordAudit, type Actor, type AuditContext } from '../audit/record';
import type { Executor } from '../db';
import { DoseEntryError, doseProblems, lotPattern, normalizeLot, type DoseValues } from './records';
import { isUuid } from '../ids';
import { DomainError } from '../errors';
import { m } from '$lib/paraglide/messages';
import { sameCity } from '../db/same-city';

export type DoseChangeRefusal =
	| 'not_found'
	| 'voided'
	| 'change_open'
	| 'no_difference'
	| 'own_change'
	| 'not_open'
	| 'stale'
	| 'invalid'
	| 'note_required';

/**
 * A change refused: no such dose (404), a conflict with the dose's state (409), or a form to
 * mend (400, by field).
 */
export class DoseChangeError extends DomainError<DoseChangeRefusal> {
	protected readonly messages = {
		not_found: m.dose_not_found,
		voided: m.dose_change_voided,
		change_open: m.dose_change_open,
		no_difference: m.dose_change_no_difference,
		own_change: m.dose_change_own,
		not_open: m.dose_change_not_open,
		stale: m.dose_change_not_open,
		invalid: m.dose_change_invalid,
		note_required: m.dose_change_note_required
	};
	constructor(code: DoseChangeRefusal, fields: Record<string, string> = {}) {
		super(
			code,
			code === 'not_found' ? 404 : code === 'invalid' || code === 'note_required' ? 400 : 409,
			fields
		);
	}
}

/** What a correction may change, as typed on the form. */
export const doseCorrection = z.object({
	dose: z.string().regex(/^[a-z0-9_]+:[a-z0-9_]+$/),
	administeredOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
	// Empty keeps a dose given elsewhere with the institution's name as written.
	institution: z.string().regex(/^([0-9]{10})?$/),
	lot: z
		.string()
		.max(40)
		.transform(normalizeLot)
		.refine((lot) => lot === '' || lotPattern.test(lot)),
	manufacturer: z.string().trim().max(60)
});
export type DoseCorrection = z.infer<typeof doseCorrection>;

export const changeReason = z.string().trim().min(1).max(400);

/** A dose's values in one version, with the name of an institution outside the city. */
export type DoseSnapshot = DoseValues & { institutionName: string | null };

const snapshotFields = {
	vaccineCode: 'vaccine_code',
	doseCode: 'dose_code',
	administeredOn: 'administered_on',
	institutionCode: 'institution_code',
	institutionName: 'institution_name',
	lotNumber: 'lot_number',
	manufacturer: 'manufacturer'
} as const;

type DoseRow = {
	id: string;
	atena_number: string;
	version: number;
	voided_at: Date | null;
	vaccine_code: string;
	dose_code: string;
	administered_on: string;
	institution_code: string | null;
	institution_name: string | null;
	lot_number: string | null;
	manufacturer: string | null;
};

function snapshotOf(row: DoseRow): DoseSnapshot {
	return {
		vaccineCode: row.vaccine_code,
		doseCode: row.dose_code,
		administeredOn: row.administered_on,
		institutionCode: row.institution_code,
		institutionName: row.institution_name,
		lotNumber: row.lot_number,
		manufacturer: row.manufacturer
	};
}

/** Field names (as on the form) whose values differ between two versions. */
export function changedFields(before: DoseSnapshot, after: DoseSnapshot): string[] {
	return (Object.keys(snapshotFields) as (keyof DoseSnapshot)[])
		.filter((field) => before[field] !== after[field])
		.map((field) =>
			field === 'vaccineCode' || field === 'doseCode'
				? 'dose'
				: field === 'institutionName'
					? 'institution'
					: field
		)
		.filter((field, index, all) => all.indexOf(field) === index);
}

/** The corrected version: what the form says, over what the dose holds now. */
export function correctedSnapshot(before: DoseSnapshot, form: DoseCorrection): DoseSnapshot {
	const [vaccineCode, doseCode] = form.dose.split(':') as [string, string];
	const keepsOutsideName = form.institution === '';
	const lot = normalizeLot(form.lot);
	const manufacturer = form.manufacturer.trim();
	return {
		vaccineCode,
		doseCode,
		administeredOn: form.administeredOn,
		institutionCode: keepsOutsideName ? null : form.institution,
		institutionName: keepsOutsideName ? before.institutionName : null,
		lotNumber: lot === '' ? null : lot,
		manufacturer: manufacturer === '' ? null : manufacturer
	};
}

function doseQuery(db: Executor, municipalityCode: string, doseId: string) {
	return db
		.selectFrom('vaccination_dose')
		.select([
			sql<string>`id::text`.as('id'),
			'atena_number',
			'version',
			'voided_at',
			'vaccine_code',
			'dose_code',
			'administered_on',
			'institution_code',
			'institution_name',
			'lot_number',
			'manufacturer'
		])
		.where('municipality_code', '=', municipalityCode)
		.where('id', '=', doseId);
}

const isId = (value: string) => /^[0-9]{1,18}$/.test(value);

/** Ask for a correction (the full corrected values) or a void; both wait for a second person. */
export async function requestDoseChange(
	db: Executor,
	input: {
		municipalityCode: string;
		doseId: string;
		change: { kind: 'correct'; form: DoseCorrection } | { kind: 'void' };
		reason: string;
		actor: Actor;
		context?: AuditContext;
		today: string;
		now: Date;
	}
): Promise<{ id: string }> {
	const dose = isId(input.doseId)
		? await doseQuery(db, input.municipalityCode, input.doseId).executeTakeFirst()
		: undefined;
	if (!dose) throw new DoseChangeError('not_found');
	if (dose.voided_at) throw new DoseChangeError('voided');
	const before = snapshotOf(dose);
	let after: DoseSnapshot | null = null;
	if (input.change.kind === 'correct') {
		after = correctedSnapshot(before, input.change.form);
		if (changedFields(before, after).length === 0) throw new DoseChangeError('no_difference');
		if (after.institutionCode === null && after.institutionName === null) {
			throw new DoseEntryError({ institution: 'institution_unknown' });
		}
		const errors = await doseProblems(db, {
			municipalityCode: input.municipalityCode,
			atena: dose.atena_number,
			values: after,
			today: input.today,
			ignoreDoseId: dose.id
		});
		if (Object.keys(errors).length > 0) throw new DoseEntryError(errors);
	}
	// Inside a caller's transaction (a 訂正請求 accepted at the desk) or in its own.
	const run = async (trx: Executor) => {
		const row = await trx
			.insertInto('vaccination_dose_change')
			.values({
				municipality_code: input.municipalityCode,
				dose_id: dose.id,
				kind: input.change.kind,
				base_version: dose.version,
				before: JSON.stringify(before),
				after: after ? JSON.stringify(after) : null,
				reason: input.reason,
				requested_by: input.actor.id,
				requested_at: input.now
			})
			// The open-change index: a second request while one waits changes nothing.
			.onConflict((conflict) =>
				conflict.column('dose_id').where('decision', 'is', null).doNothing()
			)
			.returning(sql<string>`id::text`.as('id'))
			.executeTakeFirst();
		if (!row) throw new DoseChangeError('change_open');
		await recordAudit(trx, {
			municipalityCode: input.municipalityCode,
			actor: input.actor,
			context: input.context,
			action: input.change.kind === 'correct' ? 'vaccination.correct' : 'vaccination.void',
			subjectAtenaNumber: dose.atena_number,
			objectType: 'vaccination_dose',
			objectId: dose.id,
			result: 'ok',
			reason: input.reason,
			payload: {
				change: row.id,
				stage: 'requested',
				fields: after ? changedFields(before, after) : []
			}
		});
		return { id: row.id };
	};
	return db.isTransaction ? run(db) : db.transaction().execute(run);
}

/**
 * A second person applies or declines an open change (declining needs a note for the requester).
 * Applying re-checks a correction against the record as it stands now, since other doses may have
 * been entered meanwhile.
 */
export async function decideDoseChange(
	db: Executor,
	input: {
		municipalityCode: string;
		changeId: string;
		decision: 'applied' | 'declined';
		note: string;
		actor: Actor;
		context?: AuditContext;
		today: string;
		now: Date;
	}
): Promise<void> {
	let subject: { atena: string; doseId: string } | undefined;
	const audit = (result: 'ok' | 'denied', payload: Record<string, unknown>) => ({
		municipalityCode: input.municipalityCode,
		actor: input.actor,
		context: input.context,
		action: 'vaccination.check' as const,
		subjectAtenaNumber: subject?.atena,
		objectType: 'vaccination_dose',
		objectId: subject?.doseId ?? input.changeId.slice(0, 20),
		result,
		payload: { change: input.changeId.slice(0, 20), ...payload }
	});
	try {
		await db.transaction().execute(async (trx) => {
			const change = isId(input.changeId)
				? await trx
						.selectFrom('vaccination_dose_change')
						.select([
							sql<string>`dose_id::text`.as('dose_id'),
							'kind',
							'base_version',
							'after',
							'requested_by',
							'decision'
						])
						.where('municipality_code', '=', input.municipalityCode)
						.where('id', '=', input.changeId)
						.forUpdate()
						.executeTakeFirst()
				: undefined;
			if (!change) throw new DoseChangeError('not_found');
			const dose = await doseQuery(trx, input.municipalityCode, change.dose_id)
				.forUpdate()
				.executeTakeFirstOrThrow();
			subject = { atena: dose.atena_number, doseId: dose.id };
			if (change.decision !== null) throw new DoseChangeError('not_open');
			if (change.requested_by === input.actor.id) throw new DoseChangeError('own_change');
			if (input.decision === 'applied') {
				if (dose.voided_at) throw new DoseChangeError('voided');
				if (dose.version !== change.base_version) throw new DoseChangeError('stale');
				if (change.kind === 'correct') {
					const after = change.after as DoseSnapshot;
					const errors = await doseProblems(trx, {
						municipalityCode: input.municipalityCode,
						atena: dose.atena_number,
						values: after,
						today: input.today,
						ignoreDoseId: dose.id
					});
					if (Object.keys(errors).length > 0) throw new DoseEntryError(errors);
					await trx
						.updateTable('vaccination_dose')
						.set({
							vaccine_code: after.vaccineCode,
							dose_code: after.doseCode,
							administered_on: after.administeredOn,
							institution_code: after.institutionCode,
							institution_name: after.institutionName,
							lot_number: after.lotNumber,
							manufacturer: after.manufacturer,
							version: dose.version + 1
						})
						.where('id', '=', dose.id)
						.execute();
				} else {
					await trx
						.updateTable('vaccination_dose')
						.set({ voided_at: input.now, version: dose.version + 1 })
						.where('id', '=', dose.id)
						.execute();
				}
			}
			await trx
				.updateTable('vaccination_dose_change')
				.set({
					decision: input.decision,
					decided_by: input.actor.id,
					decided_at: input.now,
					decision_note: input.note || null
				})
				.where('id', '=', input.changeId)
				.execute();
			await recordAudit(trx, audit('ok', { kind: change.kind, decision: input.decision }));
		});
	} catch (failure) {
		if (failure instanceof DoseChangeError || failure instanceof DoseEntryError) {
			const refused =
				failure instanceof DoseChangeError ? failure.code : Object.values(failure.errors);
			await recordAudit(db, audit('denied', { refused }));
		}
		throw failure;
	}
}

export type DoseVersion = {
	version: number;
	values: DoseSnapshot | null; // null: voided
	since: string;
	by: string;
	checkedBy: string | null;
	reason: string | null;
};

export type DoseChangeView = {
	id: string;
	kind: 'correct' | 'void';
	before: DoseSnapshot;
	after: DoseSnapshot | null;
	fields: string[];
	reason: string;
	requestedBy: string;
	requestedAt: string;
	decision: 'applied' | 'declined' | null;
	decidedBy: string | null;
	decidedAt: string | null;
	note: string | null;
	own: boolean;
};

async function staffNames(db: Executor, municipalityCode: string, ids: string[]) {
	const uuids = [...new Set(ids)].filter((id) => isUuid(id));
	const rows = uuids.length
		? await db
				.selectFrom('staff_user')
				.select(['id', 'display_name'])
				.where('municipality_code', '=', municipalityCode)
				.where('id', 'in', uuids)
				.execute()
		: [];
	const names = new Map(rows.map((row) => [row.id, row.display_name]));
	// Entries made by a batch carry 'system:<job>' rather than a person.
	return (id: string) => names.get(id) ?? id;
}

/** One dose: its current values, every version, and the changes asked for (open one first). */
export async function doseHistory(
	db: Executor,
	input: { municipalityCode: string; doseId: string; viewerId: string }
) {
	if (!isId(input.doseId)) return null;
	const dose = await doseQuery(db, input.municipalityCode, input.doseId)
		.select(['source', 'entered_by', 'entered_at', 'checked_by', 'checked_at'])
		.executeTakeFirst();
	if (!dose) return null;
	const changes = await db
		.selectFrom('vaccination_dose_change')
		.select([
			sql<string>`id::text`.as('id'),
			'kind',
			'before',
			'after',
			'reason',
			'requested_by',
			'requested_at',
			'decision',
			'decided_by',
			'decided_at',
			'decision_note'
		])
		.where('municipality_code', '=', input.municipalityCode)
		.where('dose_id', '=', dose.id)
		.orderBy('requested_at')
		.orderBy('id')
		.execute();
	const name = await staffNames(db, input.municipalityCode, [
		dose.entered_by,
		...(dose.checked_by ? [dose.checked_by] : []),
		...changes.flatMap((change) => [change.requested_by, change.decided_by ?? ''])
	]);
	const views: DoseChangeView[] = changes.map((change) => ({
		id: change.id,
		kind: change.kind as DoseChangeView['kind'],
		before: change.before as DoseSnapshot,
		after: change.after as DoseSnapshot | null,
		fields: change.after
			? changedFields(change.before as DoseSnapshot, change.after as DoseSnapshot)
			: [],
		reason: change.reason,
		requestedBy: name(change.requested_by),
		requestedAt: change.requested_at.toISOString(),
		decision: change.decision as DoseChangeView['decision'],
		decidedBy: change.decided_by ? name(change.decided_by) : null,
		decidedAt: change.decided_at?.toISOString() ?? null,
		note: change.decision_note,
		own: change.requested_by === input.viewerId
	}));
	const applied = views.filter((change) => change.decision === 'applied');
	const versions: DoseVersion[] = [
		{
			version: 1,
			values: applied[0]?.before ?? snapshotOf(dose),
			since: dose.entered_at.toISOString(),
			by: name(dose.entered_by),
			checkedBy: dose.checked_by ? name(dose.checked_by) : null,
			reason: null
		},
		...applied.map((change, index) => ({
			version: index + 2,
			values: change.after,
			since: change.decidedAt!,
			by: change.requestedBy,
			checkedBy: change.decidedBy,
			reason: change.reason
		}))
	];
	return {
		id: dose.id,
		atena: dose.atena_number,
		current: snapshotOf(dose),
		version: dose.version,
		voided: dose.voided_at !== null,
		checked: dose.checked_at !== null,
		source: dose.source,
		versions: versions.reverse(),
		open: views.find((change) => change.decision === null) ?? null,
		changes: views.reverse()
	};
}

/** Corrections and voids awaiting a second person, oldest first, marking the viewer's own. */
export async function pendingDoseChanges(
	db: Executor,
	input: { municipalityCode: string; viewerId: string; limit?: number }
) {
	const rows = await db
		.selectFrom('vaccination_dose_change as c')
		.innerJoin('vaccination_dose as d', 'd.id', 'c.dose_id')
		.innerJoin('resident as r', (join) => sameCity(join, ['r.atena_number', 'd.atena_number']))
		.select([
			sql<string>`c.id::text`.as('id'),
			sql<string>`d.id::text`.as('dose_id'),
			'c.kind',
			'c.before',
			'c.after',
			'c.reason',
			'c.requested_by',
			'c.requested_at',
			'r.atena_number',
			'r.name_kanji'
		])
		.where('c.municipality_code', '=', input.municipalityCode)
		.where('c.decision', 'is', null)
		.orderBy('c.requested_at')
		.limit(input.limit ?? 100)
		.execute();
	return rows.map((row) => ({
		id: row.id,
		doseId: row.dose_id,
		kind: row.kind as 'correct' | 'void',
		atena: row.atena_number,
		name: row.name_kanji,
		fields: row.after ? changedFields(row.before as DoseSnapshot, row.after as DoseSnapshot) : [],
		reason: row.reason,
		requestedAt: row.requested_at.toISOString(),
		own: row.requested_by === input.viewerId
	}));
}
