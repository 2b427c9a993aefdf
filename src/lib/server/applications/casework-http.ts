// Request handling for the back office's application work: queues with counts, filters, sorting
// and keyset paging; the case (what was signed, every version, files, the person's registry
// record and vaccination history, history, notes) and the actions of the case machine.
import { error, fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages';
import { recordAudit } from '../audit/record';
import { reverifySignedAct } from '../auth/signing';
import { staffActor } from '../auth/http';
import { config } from '../config';
import { notify } from '../auth/notices';
import { db, type Executor } from '../db';
import {
	certificateContent,
	CertificateContentError,
	issueDecisionDocuments
} from '../documents/issue';
import { SigningKeyError } from '../documents/signing-keys';
import { activeCatalogue, vaccinationRecord, type Person } from '../residents/household';
import {
	checkDose,
	DoseCheckError,
	DoseEntryError,
	enterHandbookDose,
	handbookDoseEntry
} from '../vaccinations/records';
import { doseRefusalText } from '../vaccinations/records-http';
import { tokyoDate } from '../time';
import { requirePermission } from '../staff/permissions';
import { attachmentContent, attachmentsOf } from './attachments';
import {
	applyCaseAction,
	CaseError,
	issueOutcomes,
	machineFor,
	generalCaseKinds,
	nextStage,
	returnItems,
	type CaseAction,
	type StaffActor
} from './casework';
import { stepTitle, wizardFor } from './kinds';
import { payloadVersions } from './payload-view';
import { queueCounts, queuePage, queues, type Queue } from './queues';
import { transitionsOf, type Application } from './store';
import { formOf } from '../http/form';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function actorOf(locals: App.Locals): StaffActor {
	const staff = locals.staff!;
	return {
		type: 'staff',
		id: staff.id,
		role: staff.roles.join(',') || 'none',
		department: staff.department,
		permissions: staff.permissions
	};
}

export async function queueLoad(event: RequestEvent) {
	const staff = requirePermission(event.locals, 'application.process');
	const params = event.url.searchParams;
	const queue = (queues as readonly string[]).includes(params.get('queue') ?? '')
		? (params.get('queue') as Queue)
		: 'new';
	const kind = wizardFor(params.get('kind') ?? '') ? params.get('kind')! : '';
	const sort = params.get('sort') === 'due' ? 'due' : 'received';
	const today = tokyoDate(new Date());
	const scope = { municipalityCode: staff.municipalityCode, staffId: staff.id, kind, today };
	const [counts, page] = await Promise.all([
		queueCounts(db(), scope),
		queuePage(db(), { ...scope, queue, sort, after: params.get('after') ?? '' })
	]);
	await recordAudit(db(), {
		municipalityCode: staff.municipalityCode,
		actor: staffActor(event.locals),
		context: event.locals.audit,
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
			dueOn: row.due_on,
			overdue: row.due_on !== null && row.due_on < today
		})),
		next: page.next
	};
}

async function caseOr404(event: RequestEvent): Promise<Application> {
	const staff = requirePermission(event.locals, 'application.process');
	const id = event.params.id ?? '';
	const application = uuid.test(id)
		? await db()
				.selectFrom('application')
				.selectAll()
				.where('id', '=', id)
				.where('municipality_code', '=', staff.municipalityCode)
				.where('status', '<>', 'draft')
				// A relief claim exists only on the relief screens (issue 24, item 3).
				.where('kind', 'in', generalCaseKinds)
				.executeTakeFirst()
		: undefined;
	if (!application) {
		await recordAudit(db(), {
			municipalityCode: staff.municipalityCode,
			actor: staffActor(event.locals),
			context: event.locals.audit,
			action: 'application.view',
			objectType: 'application',
			objectId: id.slice(0, 64),
			result: 'denied',
			payload: { reason: 'not_found' }
		});
		error(404, m.error_not_found());
	}
	return application;
}

export async function caseLoad(event: RequestEvent) {
	const application = await caseOr404(event);
	const actor = actorOf(event.locals);
	const wizard = wizardFor(application.kind)!;
	const [versions, attachments, history, notes, subject, staffNames] = await Promise.all([
		db()
			.selectFrom('application_version')
			.select(['version', 'payload', 'created_at', 'signed_act_id'])
			.where('application_id', '=', application.id)
			.orderBy('version', 'desc')
			.execute()
			.then((rows) =>
				// The signature checked again from what is stored: key, authenticator data, payload.
				Promise.all(
					rows.map(async (row) => ({
						...row,
						signature: await reverifySignedAct(db(), row.signed_act_id)
					}))
				)
			),
		attachmentsOf(db(), application.id),
		transitionsOf(db(), application.id),
		db()
			.selectFrom('application_note')
			.innerJoin('staff_user', 'staff_user.id', 'application_note.staff_user_id')
			.select(['application_note.id', 'application_note.body', 'application_note.created_at'])
			.select('staff_user.display_name')
			.where('application_note.application_id', '=', application.id)
			.orderBy('application_note.created_at')
			.execute(),
		application.subject_atena_number
			? db()
					.selectFrom('resident')
					.selectAll()
					.where('municipality_code', '=', application.municipality_code)
					.where('atena_number', '=', application.subject_atena_number)
					.executeTakeFirst()
			: undefined,
		db()
			.selectFrom('staff_user')
			.select(['id', 'display_name'])
			.where('municipality_code', '=', application.municipality_code)
			.where('active', '=', true)
			.orderBy('display_name')
			.execute()
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
		? await vaccinationRecord(db(), application.municipality_code, person, 'ja', new Date())
		: null;
	// The catalogue's dose names, read once: for the versions' fields and the handbook form.
	const doseNames = new Map(
		(await activeCatalogue(db(), application.municipality_code)).map((row) => [
			`${row.vaccine_code}:${row.dose_code}`,
			`${row.name_ja} ${row.label_ja}`
		])
	);
	const certificate = await certificateView(
		event,
		application,
		versions[0]?.payload ?? null,
		doseNames
	);
	const readable = payloadVersions(versions, doseNames);
	await recordAudit(db(), {
		municipalityCode: application.municipality_code,
		actor: staffActor(event.locals),
		context: event.locals.audit,
		action: 'application.view',
		subjectAtenaNumber: application.subject_atena_number ?? undefined,
		objectType: 'application',
		objectId: application.id,
		result: 'ok',
		payload: { purpose: 'casework' }
	});
	const names = new Map(staffNames.map((row) => [row.id, row.display_name]));
	const documents = await db()
		.selectFrom('issued_document')
		.select(['id', 'kind', 'document_number', 'status', 'issued_at'])
		.where('application_id', '=', application.id)
		.orderBy('issued_at')
		.execute();
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
		doseLinks: event.locals.staff!.permissions.has('vaccination.read'),
		documents: documents.map((row) => ({
			id: row.id,
			kind: row.kind,
			number: row.document_number,
			status: row.status
		})),
		documentLinks: event.locals.staff!.permissions.has('document.issue'),
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
			.map((step) => ({
				step,
				label: stepTitle(application.kind, step)
			})),
		outcomes: issueOutcomes,
		certificate,
		done: ['dose_keyed', 'dose_checked'].find((done) => done === event.url.searchParams.get('done'))
	};
}

/**
 * For a certificate request: what its certificate would list now, what still awaits a check,
 * and — when the resident asked for doses from the 母子健康手帳 — the form to key them.
 */
async function certificateView(
	event: RequestEvent,
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
	const permissions = event.locals.staff!.permissions;
	const content = await certificateContent(db(), {
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
		canKey: open && signed.doses_from_handbook === true && permissions.has('vaccination.enter'),
		canCheck: permissions.has('vaccination.check'),
		catalogue: [...doseNames].map(([value, label]) => ({ value, label }))
	};
}

const refusalText: Record<string, () => string> = {
	forbidden: m.case_refused_forbidden,
	wrong_stage: m.case_refused_wrong_stage,
	reason_required: m.case_refused_reason,
	my_number_in_text: m.case_refused_my_number,
	items_required: m.case_return_invalid,
	not_assignee: m.case_refused_not_assignee,
	maker_checker: m.case_refused_maker_checker,
	assignee_required: m.case_refused_assignee,
	outcome_required: m.case_refused_outcome,
	conflict: m.case_conflict,
	wrong_workflow: m.error_not_found
};

/** The documents a decision issues, and a notice telling the resident they are ready. */
async function issueAlongside(
	trx: Executor,
	application: Application,
	decision: 'approve' | 'reject',
	reason: string | null,
	event: RequestEvent
) {
	const issued = await issueDecisionDocuments(trx, {
		application,
		decision,
		reason,
		actor: staffActor(event.locals),
		context: event.locals.audit,
		settings: { origin: config().origin, sealing: config().documentKey },
		now: new Date()
	});
	if (issued.length > 0) {
		await notify(trx, {
			municipalityCode: application.municipality_code,
			accountId: application.applicant_account_id,
			kind: 'document_issued',
			applicationId: application.id,
			portalUrl: `${config().origin}/documents`,
			now: new Date()
		});
	}
}

async function act(event: RequestEvent, action: CaseAction) {
	const application = await caseOr404(event);
	const form = await formOf(event.request);
	const field = (name: string) => String(form.get(name) ?? '').slice(0, 500);
	try {
		await applyCaseAction(db(), {
			// The form carries the version the caseworker saw; anything newer is a conflict.
			seenUpdatedAt: field('updated_at'),
			application,
			action,
			reason: field('reason'),
			items:
				action === 'return'
					? returnItems(
							wizardFor(application.kind)!,
							form.getAll('step').map((step) => ({
								step: String(step),
								note: field(`note_${String(step)}`)
							}))
						)
					: undefined,
			assignee: field('assignee') || undefined,
			outcome: field('outcome') || undefined,
			actor: actorOf(event.locals),
			context: event.locals.audit,
			portalUrl: `${config().origin}/sign-in`,
			now: new Date(),
			alongside:
				action === 'approve' || action === 'reject'
					? (trx, updated) => issueAlongside(trx, updated, action, field('reason') || null, event)
					: undefined
		});
	} catch (failure) {
		if (failure instanceof SigningKeyError) {
			// Nothing was decided: the approval waits until the city's signing key is in place.
			return fail(503, { action, refusal: 'signing_key', message: m.case_signing_key_missing() });
		}
		if (failure instanceof CertificateContentError) {
			// Nothing was decided: the certificate would list nothing, or an unchecked dose.
			return fail(400, {
				action,
				refusal: failure.code,
				message: failure.text
			});
		}
		if (failure instanceof CaseError) {
			const steps = form.getAll('step').map(String);
			return fail(failure.code === 'conflict' ? 409 : 400, {
				action,
				refusal: failure.code,
				message: refusalText[failure.code]!(),
				// What was typed comes back into the form, to be corrected rather than typed again.
				values: {
					reason: field('reason'),
					steps,
					notes: Object.fromEntries(steps.map((step) => [step, field(`note_${step}`)]))
				}
			});
		}
		throw failure;
	}
	redirect(303, `/staff/cases/${application.id}`);
}

async function addNote(event: RequestEvent) {
	const application = await caseOr404(event);
	const body = String((await formOf(event.request)).get('body') ?? '').trim();
	if (!body || body.length > 2000) {
		return fail(400, { action: 'note', refusal: 'note', message: m.case_note_invalid() });
	}
	const staff = event.locals.staff!;
	await db()
		.transaction()
		.execute(async (trx) => {
			await trx
				.insertInto('application_note')
				.values({
					application_id: application.id,
					staff_user_id: staff.id,
					body,
					created_at: new Date()
				})
				.execute();
			await recordAudit(trx, {
				municipalityCode: application.municipality_code,
				actor: staffActor(event.locals),
				context: event.locals.audit,
				action: 'application.note',
				subjectAtenaNumber: application.subject_atena_number ?? undefined,
				objectType: 'application',
				objectId: application.id,
				result: 'ok',
				payload: { length: body.length }
			});
		});
	redirect(303, `/staff/cases/${application.id}`);
}

/** A dose keyed from the handbook photo of this certificate request (issue 25, item 1). */
async function keyHandbookDose(event: RequestEvent) {
	const application = await caseOr404(event);
	const staff = requirePermission(event.locals, 'vaccination.enter');
	const form = await formOf(event.request);
	const field = (name: string) => String(form.get(name) ?? '').slice(0, 100);
	const values = {
		dose: field('dose'),
		administeredOn: field('administered_on'),
		institutionName: field('institution_name'),
		institutionNameEn: field('institution_name_en'),
		lot: field('lot'),
		manufacturer: field('manufacturer')
	};
	const refused = (errors: Record<string, string>) =>
		fail(400, { action: 'key_dose', handbook: { values, errors } });
	const parsed = handbookDoseEntry.safeParse(values);
	if (!parsed.success) {
		const errors: Record<string, string> = {};
		for (const issue of parsed.error.issues) {
			const name = String(issue.path[0]);
			errors[name] ??= {
				dose: m.dose_error_dose_unknown,
				administeredOn: m.error_date_format,
				institutionName: m.case_handbook_institution_required,
				institutionNameEn: m.case_handbook_institution_en_required,
				lot: m.dose_error_lot_format,
				manufacturer: () => m.error_too_long({ max: 60 })
			}[name]!();
		}
		return refused(errors);
	}
	try {
		await enterHandbookDose(db(), {
			municipalityCode: staff.municipalityCode,
			applicationId: application.id,
			entry: parsed.data,
			actor: staffActor(event.locals),
			context: event.locals.audit,
			today: tokyoDate(new Date()),
			now: new Date()
		});
	} catch (failure) {
		if (!(failure instanceof DoseEntryError)) throw failure;
		return refused(
			Object.fromEntries(
				Object.entries(failure.errors).map(([name, code]) => [
					name,
					code === 'case_closed' ? m.dose_error_case_closed() : doseRefusalText[code!]!()
				])
			)
		);
	}
	redirect(303, `/staff/cases/${application.id}?done=dose_keyed`);
}

/** The second person's check of a dose keyed for this request, from the case page. */
async function checkCaseDose(event: RequestEvent) {
	const application = await caseOr404(event);
	const staff = requirePermission(event.locals, 'vaccination.check');
	const id = String((await formOf(event.request)).get('id') ?? '').slice(0, 20);
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
			action: 'check_dose',
			message: failure.code === 'own_entry' ? m.dose_check_own() : m.dose_check_not_pending()
		});
	}
	redirect(303, `/staff/cases/${application.id}?done=dose_checked`);
}

export const caseActions = {
	assign: (event: RequestEvent) => act(event, 'assign'),
	reassign: (event: RequestEvent) => act(event, 'reassign'),
	prepare: (event: RequestEvent) => act(event, 'prepare'),
	send_back: (event: RequestEvent) => act(event, 'send_back'),
	approve: (event: RequestEvent) => act(event, 'approve'),
	reject: (event: RequestEvent) => act(event, 'reject'),
	return: (event: RequestEvent) => act(event, 'return'),
	record_issue: (event: RequestEvent) => act(event, 'record_issue'),
	note: (event: RequestEvent) => addNote(event),
	key_dose: (event: RequestEvent) => keyHandbookDose(event),
	check_dose: (event: RequestEvent) => checkCaseDose(event)
};

export async function caseAttachment(event: RequestEvent): Promise<Response> {
	const application = await caseOr404(event);
	// A relief claim's files are medical: only the relief role opens them (issue 7, ACL-1).
	if (application.kind === 'relief' && !event.locals.staff!.permissions.has('relief.handle')) {
		await recordAudit(db(), {
			municipalityCode: application.municipality_code,
			actor: staffActor(event.locals),
			context: event.locals.audit,
			action: 'attachment.view',
			subjectAtenaNumber: application.subject_atena_number ?? undefined,
			objectType: 'attachment',
			objectId: String(event.params.attachment ?? '').slice(0, 64),
			result: 'denied',
			payload: { application_id: application.id, refused: 'relief_role_required' }
		});
		error(403, m.staff_forbidden());
	}
	const file = await attachmentContent(db(), application.id, event.params.attachment ?? '');
	await recordAudit(db(), {
		municipalityCode: application.municipality_code,
		actor: staffActor(event.locals),
		context: event.locals.audit,
		action: 'attachment.view',
		subjectAtenaNumber: application.subject_atena_number ?? undefined,
		objectType: 'attachment',
		objectId: String(event.params.attachment ?? '').slice(0, 64),
		result: file ? 'ok' : 'denied',
		payload: { application_id: application.id }
	});
	if (!file) error(404, m.error_not_found());
	// Inline only (EXP-3): viewed in the browser, not offered as a download.
	return new Response(new Uint8Array(file.content), {
		headers: {
			'content-type': file.content_type,
			'content-disposition': 'inline',
			'cache-control': 'private, no-store',
			'x-content-type-options': 'nosniff',
			'content-security-policy': "default-src 'none'; img-src 'self'; sandbox",
			'cross-origin-resource-policy': 'same-origin'
		}
	});
}
