// The back office's door to applications (予診票の再発行, 英文証明書, 実施依頼書): the queues,
// one case with everything needed to decide it, the actions of the case machine, notes, doses
// keyed from the 母子健康手帳 and their check, and the files. Each function takes the caller,
// checks their right, reads or changes, and writes its own audit entry, a view included.
import { z } from 'zod';
import { m } from '$lib/paraglide/messages';
import { auditAs, requirePermission, type Caller, type StaffCaller } from '../audit/caller';
import { reverifySignedAct } from '../auth/signing';
import type { Executor } from '../db';
import {
	certificateContent,
	CertificateContentError,
	type IssueSettings
} from '../documents/issue';
import { AccessRefused, DomainError, fieldErrors, InputRefused } from '../errors';
import { isUuid } from '../ids';
import { tokyoDate } from '../time';
import { activeCatalogue } from '../vaccinations/active-catalogue';
import {
	checkDose,
	enterHandbookDose,
	handbookDoseEntry,
	type HandbookDoseEntry
} from '../vaccinations/records';
import { vaccinationRecord, type Person } from '../residents/household';
import { attachmentContent, attachmentsOf } from './attachments';
import {
	applyCaseAction,
	CaseError,
	generalCaseKinds,
	issueOutcomes,
	machineFor,
	nextStage,
	returnItems,
	type CaseAction,
	type StaffActor
} from './casework';
import { stepTitle, wizardFor } from './kinds';
import { payloadVersions } from './payload-view';
import { queueCounts, queuePage, queues, type Queue } from './queues';
import { transitionsOf, type Application } from './store';

const asStaffActor = (caller: StaffCaller): StaffActor => ({
	type: 'staff',
	id: caller.id,
	role: caller.roles.join(',') || 'none',
	department: caller.department,
	permissions: caller.permissions
});

export const queueQuery = z.object({
	queue: z.enum(queues).catch('new'),
	kind: z
		.string()
		.catch('')
		.transform((kind) => (wizardFor(kind) ? kind : '')),
	sort: z.enum(['received', 'due']).catch('received'),
	after: z.string().max(200).catch('')
});

/** A queue with the counts of every queue, filtered by kind, sorted, one page at a time. */
export async function caseQueue(
	db: Executor,
	caller: Caller,
	/** From the query string: anything unknown falls back to the default. */
	input: Record<string, string>,
	now = new Date()
) {
	requirePermission(caller, 'application.process');
	const { queue, kind, sort, after } = queueQuery.parse(input);
	const today = tokyoDate(now);
	const scope = { municipalityCode: caller.municipalityCode, staffId: caller.id, kind, today };
	const [counts, page] = await Promise.all([
		queueCounts(db, scope),
		queuePage(db, { ...scope, queue: queue as Queue, sort, after })
	]);
	await auditAs(db, caller, {
		action: 'application.list',
		result: 'ok',
		payload: { queue, kind: kind || 'all', sort, rows: page.rows.length }
	});
	return {
		queue,
		kind,
		sort,
		queues: queues.map((name) => ({ name, count: counts[name] })),
		kinds: generalCaseKinds,
		cases: page.rows.map((row) => ({
			id: row.id,
			kind: row.kind,
			stage: row.stage,
			reference: row.reference,
			name: row.name_kanji,
			assignee: row.assignee,
			submittedAt: row.submitted_at?.toISOString() ?? null,
			portalArrivedAt: row.portal_arrived_at?.toISOString() ?? null,
			dueOn: row.due_on,
			overdue: row.due_on !== null && row.due_on < today
		})),
		next: page.next
	};
}

/**
 * The case, if the caller may work on it: a submitted general case of their city. Anything else
 * (a draft, a relief claim, another city's, a malformed id) is "not found", and that is audited.
 */
async function findCase(db: Executor, caller: StaffCaller, id: string): Promise<Application> {
	const application = isUuid(id)
		? await db
				.selectFrom('application')
				.selectAll()
				.where('id', '=', id)
				.where('municipality_code', '=', caller.municipalityCode)
				.where('status', '<>', 'draft')
				// A relief claim exists only on the relief screens (issue 24, item 3).
				.where('kind', 'in', generalCaseKinds)
				.executeTakeFirst()
		: undefined;
	if (!application) {
		await auditAs(db, caller, {
			action: 'application.view',
			objectType: 'application',
			objectId: id.slice(0, 64),
			result: 'denied',
			payload: { reason: 'not_found' }
		});
		throw new AccessRefused('not_found');
	}
	return application;
}

/** Everything a caseworker or approver needs to decide the case, and what they may do now. */
export async function openCase(db: Executor, caller: Caller, input: { id: string }) {
	requirePermission(caller, 'application.process');
	const application = await findCase(db, caller, input.id);
	const actor = asStaffActor(caller);
	const wizard = wizardFor(application.kind)!;
	const [versions, attachments, history, notes, subject, staffNames, documents, catalogue] =
		await Promise.all([
			db
				.selectFrom('application_version')
				// Through the exchange (issue 27): when the portal received it, when it was taken in.
				.leftJoin(
					'exchange_intake',
					'exchange_intake.signed_act_id',
					'application_version.signed_act_id'
				)
				.select([
					'version',
					'payload',
					'created_at',
					'application_version.signed_act_id',
					'exchange_intake.arrived_at',
					'exchange_intake.taken_at'
				])
				.where('application_id', '=', application.id)
				.orderBy('version', 'desc')
				.execute()
				.then((rows) =>
					// The signature checked again from what is stored: key, authenticator data, payload.
					Promise.all(
						rows.map(async (row) => ({
							...row,
							signature: await reverifySignedAct(db, row.signed_act_id)
						}))
					)
				),
			attachmentsOf(db, application.id),
			transitionsOf(db, application.id),
			db
				.selectFrom('application_note')
				.innerJoin('staff_user', 'staff_user.id', 'application_note.staff_user_id')
				.select(['application_note.id', 'application_note.body', 'application_note.created_at'])
				.select('staff_user.display_name')
				.where('application_note.application_id', '=', application.id)
				.orderBy('application_note.created_at')
				.execute(),
			application.subject_atena_number
				? db
						.selectFrom('resident')
						.selectAll()
						.where('municipality_code', '=', application.municipality_code)
						.where('atena_number', '=', application.subject_atena_number)
						.executeTakeFirst()
				: undefined,
			db
				.selectFrom('staff_user')
				.select(['id', 'display_name'])
				.where('municipality_code', '=', application.municipality_code)
				.where('active', '=', true)
				.orderBy('display_name')
				.execute(),
			db
				.selectFrom('issued_document')
				.select(['id', 'kind', 'document_number', 'status', 'issued_at'])
				.where('application_id', '=', application.id)
				.orderBy('issued_at')
				.execute(),
			activeCatalogue(db, application.municipality_code)
		]);
	const person: Person | null = subject
		? {
				ref: '',
				atenaNumber: subject.atena_number,
				relation: 'self',
				nameKanji: subject.name_kanji,
				nameKana: subject.name_kana,
				birthDate: subject.birth_date,
				sex: subject.sex as 'male' | 'female'
			}
		: null;
	const record = person
		? await vaccinationRecord(db, application.municipality_code, person, 'ja', new Date())
		: null;
	// The catalogue's dose names, read once: for the versions' fields and the handbook form.
	const doseNames = new Map(
		catalogue.map((row) => [
			`${row.vaccine_code}:${row.dose_code}`,
			`${row.name_ja} ${row.label_ja}`
		])
	);
	const certificate = await certificateView(
		db,
		caller,
		application,
		versions[0]?.payload ?? null,
		doseNames
	);
	const readable = payloadVersions(versions, doseNames);
	await auditAs(db, caller, {
		action: 'application.view',
		subjectAtenaNumber: application.subject_atena_number ?? undefined,
		objectType: 'application',
		objectId: application.id,
		result: 'ok',
		payload: { purpose: 'casework' }
	});
	const names = new Map(staffNames.map((row) => [row.id, row.display_name]));
	const machine = machineFor(application.kind);
	// What this person may do now, and why not where the reason helps (maker ≠ checker).
	const actions = (Object.keys(machine) as CaseAction[]).map((action) => {
		try {
			nextStage(application, actor, {
				action,
				reason: 'x',
				items: [{ step: 'person', note: '' }],
				assignee: actor.id,
				outcome: 'mailed'
			});
			return { action, allowed: true, refusal: null };
		} catch (failure) {
			return { action, allowed: false, refusal: (failure as CaseError).code };
		}
	});
	return {
		id: application.id,
		kind: application.kind,
		title: wizard.title(),
		stage: application.stage,
		status: application.status,
		reference: application.reference,
		updatedAt: application.updated_at.toISOString(),
		dueOn: application.due_on,
		assignee: application.assigned_to ? (names.get(application.assigned_to) ?? '') : null,
		preparedBy: application.prepared_by ? (names.get(application.prepared_by) ?? '') : null,
		approvedBy: application.approved_by ? (names.get(application.approved_by) ?? '') : null,
		issueOutcome: application.issue_outcome,
		actions: actions.filter((item) => item.allowed).map((item) => item.action),
		makerChecker: actions.some(
			(item) => item.action === 'approve' && item.refusal === 'maker_checker'
		),
		subject: subject
			? {
					atena: subject.atena_number,
					name: subject.name_kanji,
					kana: subject.name_kana,
					romaji: subject.name_romaji,
					birthDate: subject.birth_date,
					sex: subject.sex,
					address: `〒${subject.postal_code} ${subject.address}`,
					status: subject.status
				}
			: null,
		doseLinks: caller.permissions.has('vaccination.read'),
		documents: documents.map((row) => ({
			id: row.id,
			kind: row.kind,
			number: row.document_number,
			status: row.status
		})),
		documentLinks: caller.permissions.has('document.issue'),
		doses: (record?.history ?? []).map((dose) => ({
			id: dose.id,
			vaccine: dose.vaccineName,
			dose: dose.doseLabel,
			on: dose.administeredOn,
			institution: dose.institution,
			pendingCheck: dose.pendingCheck
		})),
		versions: versions.map((version) => ({
			version: version.version,
			at: version.created_at.toISOString(),
			signatureValid: version.signature.valid,
			portalArrivedAt: version.arrived_at?.toISOString() ?? null,
			takenInAt: version.taken_at?.toISOString() ?? null,
			fields: readable.find((shown) => shown.version === version.version)!.fields,
			payload: JSON.stringify(JSON.parse(version.payload), null, 2)
		})),
		attachments: attachments.map((file) => ({
			id: file.id,
			fileName: file.fileName,
			purpose: file.purpose,
			sizeBytes: file.sizeBytes
		})),
		history: history.map((row) => ({
			to: row.to_status,
			action: row.action,
			by:
				row.actor_type === 'staff'
					? (names.get(row.actor_id) ?? row.actor_id)
					: row.actor_type === 'resident'
						? m.case_by_applicant()
						: row.actor_type,
			reason: row.reason,
			at: row.at.toISOString()
		})),
		notes: notes.map((note) => ({
			id: note.id,
			body: note.body,
			by: note.display_name,
			at: note.created_at.toISOString()
		})),
		staff: staffNames.map((row) => ({ id: row.id, name: row.display_name })),
		steps: wizard.steps
			.filter((step) => step !== 'check')
			.map((step) => ({ step, label: stepTitle(application.kind, step) })),
		outcomes: issueOutcomes,
		certificate
	};
}

/**
 * For a certificate request: what its certificate would list now, what still awaits a check,
 * and — when the resident asked for doses from the 母子健康手帳 — the form to key them.
 */
async function certificateView(
	db: Executor,
	caller: StaffCaller,
	application: Application,
	payload: string | null,
	doseNames: Map<string, string>
) {
	if (application.kind !== 'certificate' || !payload || !application.subject_atena_number) {
		return null;
	}
	const signed = JSON.parse(payload) as {
		doses?: { vaccine_code: string; dose_code: string; administered_on: string }[];
		doses_from_handbook?: boolean;
	};
	const content = await certificateContent(db, {
		municipalityCode: application.municipality_code,
		atena: application.subject_atena_number,
		chosen: signed.doses ?? [],
		applicationId: application.id
	});
	const open = ['assigned', 'awaiting_approval'].includes(application.stage);
	return {
		doses: content.doses.map((dose) => ({
			vaccine: `${dose.vaccineJa} ${dose.doseJa}`,
			on: dose.administeredOn,
			institution: dose.institutionJa ?? dose.institutionEn
		})),
		waiting: content.waiting,
		problem: open && content.problem ? new CertificateContentError(content.problem).text : null,
		handbook: signed.doses_from_handbook === true,
		canKey:
			open && signed.doses_from_handbook === true && caller.permissions.has('vaccination.enter'),
		canCheck: caller.permissions.has('vaccination.check'),
		catalogue: [...doseNames].map(([value, label]) => ({ value, label }))
	};
}

export const caseActionForm = z.object({
	/** The version the caseworker saw; anything newer is a conflict. */
	updatedAt: z.string().max(100),
	reason: z.string().max(500),
	/** 差し戻し: the steps to correct, each with a note. */
	items: z.array(z.object({ step: z.string().max(100), note: z.string().max(500) })),
	assignee: z.string().max(100),
	outcome: z.string().max(100)
});

/**
 * An action of the case machine. An approval or a rejection issues its documents (the
 * certificate, the 予診票, the 実施依頼書 or the notice) in the same transaction, and the
 * resident is told they are ready: a decision and its documents stand or fall together.
 */
export async function takeCaseAction(
	db: Executor,
	caller: Caller,
	input: z.input<typeof caseActionForm> & { id: string; action: CaseAction },
	settings: IssueSettings,
	now = new Date()
): Promise<Application> {
	requirePermission(caller, 'application.process');
	const application = await findCase(db, caller, input.id);
	const form = caseActionForm.parse(input);
	return applyCaseAction(db, {
		seenUpdatedAt: form.updatedAt,
		application,
		action: input.action,
		reason: form.reason,
		items:
			input.action === 'return' ? returnItems(wizardFor(application.kind)!, form.items) : undefined,
		assignee: form.assignee || undefined,
		outcome: form.outcome || undefined,
		actor: asStaffActor(caller),
		context: caller.context!,
		settings,
		now
	});
}

export const caseNoteForm = z.object({ body: z.string().trim().min(1).max(2000) });

export class CaseNoteInvalid extends DomainError<'note_invalid'> {
	protected readonly messages = { note_invalid: m.case_note_invalid };
}

/** A note on the case for colleagues (never shown to the resident). */
export async function addCaseNote(
	db: Executor,
	caller: Caller,
	input: { id: string; body: string },
	now = new Date()
): Promise<void> {
	requirePermission(caller, 'application.process');
	const application = await findCase(db, caller, input.id);
	const parsed = caseNoteForm.safeParse(input);
	if (!parsed.success) throw new CaseNoteInvalid('note_invalid');
	const { body } = parsed.data;
	await db.transaction().execute(async (trx) => {
		await trx
			.insertInto('application_note')
			.values({
				application_id: application.id,
				staff_user_id: caller.id,
				body,
				created_at: now
			})
			.execute();
		await auditAs(trx, caller, {
			action: 'application.note',
			subjectAtenaNumber: application.subject_atena_number ?? undefined,
			objectType: 'application',
			objectId: application.id,
			result: 'ok',
			payload: { length: body.length }
		});
	});
}

const handbookFieldMessages = {
	dose: m.dose_error_dose_unknown,
	administeredOn: m.error_date_format,
	institutionName: m.case_handbook_institution_required,
	institutionNameEn: m.case_handbook_institution_en_required,
	lot: m.dose_error_lot_format,
	manufacturer: () => m.error_too_long({ max: 60 })
};

/** A dose keyed from the handbook photo of this certificate request (issue 25, item 1). */
export async function keyCaseDose(
	db: Executor,
	caller: Caller,
	input: { id: string; entry: Record<string, string> },
	now = new Date()
): Promise<{ id: string }> {
	requirePermission(caller, 'application.process');
	const application = await findCase(db, caller, input.id);
	requirePermission(caller, 'vaccination.enter');
	const parsed = handbookDoseEntry.safeParse(input.entry);
	if (!parsed.success) throw new InputRefused(fieldErrors(parsed.error, handbookFieldMessages));
	return enterHandbookDose(db, {
		municipalityCode: caller.municipalityCode,
		applicationId: application.id,
		entry: parsed.data satisfies HandbookDoseEntry,
		actor: asStaffActor(caller),
		context: caller.context!,
		today: tokyoDate(now),
		now
	});
}

/** The second person's check of a dose keyed for this request, from the case page. */
export async function checkCaseDose(
	db: Executor,
	caller: Caller,
	input: { id: string; doseId: string },
	now = new Date()
): Promise<void> {
	requirePermission(caller, 'application.process');
	await findCase(db, caller, input.id);
	requirePermission(caller, 'vaccination.check');
	await checkDose(db, {
		municipalityCode: caller.municipalityCode,
		id: input.doseId.slice(0, 20),
		actor: asStaffActor(caller),
		context: caller.context!,
		now
	});
}

/** A file attached to the case, for viewing in the browser. */
export async function caseAttachment(
	db: Executor,
	caller: Caller,
	input: { id: string; attachmentId: string }
) {
	requirePermission(caller, 'application.process');
	const application = await findCase(db, caller, input.id);
	const audit = (result: 'ok' | 'denied', extra: Record<string, unknown> = {}) =>
		auditAs(db, caller, {
			action: 'attachment.view',
			subjectAtenaNumber: application.subject_atena_number ?? undefined,
			objectType: 'attachment',
			objectId: input.attachmentId.slice(0, 64),
			result,
			payload: { application_id: application.id, ...extra }
		});
	// A relief claim's files are medical: only the relief role opens them (issue 7, ACL-1).
	if (application.kind === 'relief' && !caller.permissions.has('relief.handle')) {
		await audit('denied', { refused: 'relief_role_required' });
		throw new AccessRefused('forbidden');
	}
	const file = await attachmentContent(db, application.id, input.attachmentId);
	await audit(file ? 'ok' : 'denied');
	if (!file) throw new AccessRefused('not_found');
	return file;
}
