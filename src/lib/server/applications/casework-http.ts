// The back office's first view of applications (issue 4 needs a 差し戻し made by staff; the full
// queues, assignment and approval come with the back-office issue): a list of open cases, a case
// with what the resident signed and attached, and the actions of the resident-visible machine.
import { error, fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages';
import { recordAudit } from '../audit/record';
import { staffActor } from '../auth/http';
import { config } from '../config';
import { db } from '../db';
import { requirePermission } from '../staff/permissions';
import { attachmentContent, attachmentsOf } from './attachments';
import { wizardFor } from './kinds';
import { returnItems, ReviewConflictError, staffTransition } from './review';
import { TransitionError } from './status';
import { transitionsOf, type Application } from './store';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export async function caseListLoad(event: RequestEvent) {
	const staff = requirePermission(event.locals, 'application.process');
	const status = event.url.searchParams.get('status') ?? 'submitted';
	const statuses = ['submitted', 'in_review', 'returned'];
	const shown = statuses.includes(status) ? status : 'submitted';
	const rows = await db()
		.selectFrom('application')
		.innerJoin('resident', (join) =>
			join
				.onRef('resident.municipality_code', '=', 'application.municipality_code')
				.onRef('resident.atena_number', '=', 'application.subject_atena_number')
		)
		.select([
			'application.id',
			'application.kind',
			'application.status',
			'application.reference',
			'application.submitted_at',
			'resident.name_kanji'
		])
		.where('application.municipality_code', '=', staff.municipalityCode)
		.where('application.status', '=', shown)
		.orderBy('application.submitted_at')
		.limit(100)
		.execute();
	await recordAudit(db(), {
		municipalityCode: staff.municipalityCode,
		actor: staffActor(event.locals),
		context: event.locals.audit,
		action: 'application.list',
		result: 'ok',
		payload: { status: shown, rows: rows.length }
	});
	return {
		status: shown,
		statuses,
		cases: rows.map((row) => ({
			id: row.id,
			kind: row.kind,
			reference: row.reference,
			name: row.name_kanji,
			submittedAt: row.submitted_at?.toISOString() ?? null
		}))
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
				.executeTakeFirst()
		: undefined;
	if (!application) error(404, m.error_not_found());
	return application;
}

export async function caseLoad(event: RequestEvent) {
	const application = await caseOr404(event);
	const wizard = wizardFor(application.kind)!;
	const [versions, attachments, history, subject] = await Promise.all([
		db()
			.selectFrom('application_version')
			.select(['version', 'payload', 'created_at'])
			.where('application_id', '=', application.id)
			.orderBy('version', 'desc')
			.execute(),
		attachmentsOf(db(), application.id),
		transitionsOf(db(), application.id),
		db()
			.selectFrom('resident')
			.select(['name_kanji', 'name_kana', 'birth_date'])
			.where('municipality_code', '=', application.municipality_code)
			.where('atena_number', '=', application.subject_atena_number!)
			.executeTakeFirst()
	]);
	await recordAudit(db(), {
		municipalityCode: application.municipality_code,
		actor: staffActor(event.locals),
		context: event.locals.audit,
		action: 'application.view',
		subjectAtenaNumber: application.subject_atena_number ?? undefined,
		objectType: 'application',
		objectId: application.id,
		result: 'ok'
	});
	return {
		id: application.id,
		kind: application.kind,
		title: wizard.title(),
		status: application.status,
		reference: application.reference,
		updatedAt: application.updated_at.toISOString(),
		subject: subject
			? { name: subject.name_kanji, kana: subject.name_kana, birthDate: subject.birth_date }
			: null,
		versions: versions.map((version) => ({
			version: version.version,
			at: version.created_at.toISOString(),
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
			by: row.actor_type,
			reason: row.reason,
			at: row.at.toISOString()
		})),
		// The steps a 差し戻し can point at, named as the resident saw them.
		steps: wizard.steps
			.filter((step) => step !== 'check')
			.map((step) => ({ step, label: stepLabel(wizard.kind, step) }))
	};
}

function stepLabel(kind: string, step: string): string {
	const labels: Record<string, () => string> = {
		person: m.step_person,
		dose: m.step_dose,
		reason: kind === 'outside_request' ? m.step_outside_reason : m.step_reason,
		delivery: m.step_delivery,
		passport: m.step_passport,
		purpose: m.step_certificate_purpose,
		doses: m.step_certificate_doses,
		copies: m.step_copies,
		evidence: m.step_evidence,
		place: m.step_place,
		period: m.step_period,
		checker: m.step_relief_checker,
		benefits: m.step_benefits,
		vaccination: m.step_relief_vaccination,
		documents: m.step_documents,
		my_number: m.step_my_number
	};
	return (labels[step] ?? (() => step))();
}

async function act(
	event: RequestEvent,
	build: (
		form: FormData,
		application: Application
	) => {
		action: 'start_review' | 'return';
		reason?: string;
		items?: { step: string; note: string }[];
	}
) {
	const application = await caseOr404(event);
	const form = await event.request.formData();
	// The form carries the version the caseworker saw; anything newer is a conflict.
	if (String(form.get('updated_at')) !== application.updated_at.toISOString()) {
		return fail(409, { conflict: true });
	}
	try {
		const { action, reason, items } = build(form, application);
		await staffTransition(db(), {
			application,
			action,
			reason,
			items,
			actor: staffActor(event.locals),
			context: event.locals.audit,
			portalUrl: `${config().origin}/sign-in`,
			now: new Date()
		});
	} catch (failure) {
		if (failure instanceof ReviewConflictError) return fail(409, { conflict: true });
		if (failure instanceof TransitionError) return fail(400, { invalid: true });
		throw failure;
	}
	redirect(303, `/staff/cases/${application.id}`);
}

export const caseActions = {
	start_review: (event: RequestEvent) => act(event, () => ({ action: 'start_review' })),
	return: (event: RequestEvent) =>
		act(event, (form, application) => {
			const chosen = form.getAll('step').map(String);
			const items = returnItems(
				wizardFor(application.kind)!,
				chosen.map((step) => ({ step, note: String(form.get(`note_${step}`) ?? '') }))
			);
			return { action: 'return', items, reason: String(form.get('reason') ?? '') };
		})
};

export async function caseAttachment(event: RequestEvent): Promise<Response> {
	const application = await caseOr404(event);
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
