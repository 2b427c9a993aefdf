// The staff screen of 接種勧奨 and yearly mailings: choose whom, preview the counts by vaccine,
// create the batch (queued for the worker), follow its progress, download the print file, mark it
// sent or cancel it. Every view, preview, creation and download is audited.
import { actorOf } from '../audit/caller';
import { staffCaller } from '../http/caller';
import { randomUUID } from 'node:crypto';
import { error, fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages';
import { getLocale } from '$lib/paraglide/runtime';
import { recordAudit } from '../audit/record';
import { db } from '../db';
import { formKeyPattern } from '../db/form-key';
import { jobs } from '../jobs/runtime';
import { activeCatalogue } from '../vaccinations/active-catalogue';
import { tokyoDate } from '../time';
import { requirePermission } from '../staff/permissions';
import {
	cancelMailing,
	createMailingBatch,
	listMailings,
	MailingError,
	markMailingSent,
	previewMailing
} from './batches';
import { mailingCriteria, mailingKinds } from './selection';
import { formOf } from '../http/form';
import { isUuid } from '../ids';

const permission = 'mailing.manage';

async function vaccineChoices(municipalityCode: string) {
	const locale = getLocale();
	const catalogue = await activeCatalogue(db(), municipalityCode);
	const vaccines = new Map<string, string>();
	const doses = new Map<string, string>();
	for (const row of catalogue) {
		const name = locale === 'en' ? row.name_en : row.name_ja;
		vaccines.set(row.vaccine_code, name);
		doses.set(
			`${row.vaccine_code}:${row.dose_code}`,
			`${name} ${locale === 'en' ? row.label_en : row.label_ja}`
		);
	}
	return { vaccines: [...vaccines].map(([code, name]) => ({ code, name })), doses };
}

export async function mailingsLoad(event: RequestEvent) {
	const staff = requirePermission(event.locals, permission);
	const now = new Date();
	const batches = await listMailings(db(), staff.municipalityCode, now);
	await recordAudit(db(), {
		municipalityCode: staff.municipalityCode,
		actor: actorOf(staffCaller(event.locals)),
		context: event.locals.audit,
		action: 'mailing.list',
		result: 'ok',
		payload: { batches: batches.length }
	});
	const { vaccines } = await vaccineChoices(staff.municipalityCode);
	return {
		batches,
		vaccines,
		kinds: mailingKinds,
		requestKey: randomUUID(),
		today: tokyoDate(now),
		done: event.url.searchParams.get('done')
	};
}

function formValues(form: FormData) {
	return {
		kind: String(form.get('kind') ?? ''),
		vaccines: form.getAll('vaccines').map(String).slice(0, 40),
		bornFrom: String(form.get('born_from') ?? '').slice(0, 10),
		bornUntil: String(form.get('born_until') ?? '').slice(0, 10),
		withQuestionnaires: form.get('questionnaires') === 'on'
	};
}

function parseCriteria(values: ReturnType<typeof formValues>) {
	return mailingCriteria.safeParse({
		...values,
		bornFrom: values.bornFrom || undefined,
		bornUntil: values.bornUntil || undefined
	});
}

function criteriaMessage(path: string | undefined): string {
	if (path === 'bornUntil') return m.mailing_error_born_order();
	if (path === 'bornFrom') return m.mailing_error_born_required();
	if (path === 'vaccines') return m.mailing_error_vaccine_required();
	return m.mailing_error_invalid();
}

export async function previewAction(event: RequestEvent) {
	const staff = requirePermission(event.locals, permission);
	const values = formValues(await formOf(event.request));
	const parsed = parseCriteria(values);
	if (!parsed.success) {
		return fail(400, {
			values,
			message: criteriaMessage(parsed.error.issues[0]?.path[0] as string)
		});
	}
	const preview = await previewMailing(db(), {
		municipalityCode: staff.municipalityCode,
		criteria: parsed.data,
		actor: actorOf(staffCaller(event.locals)),
		context: event.locals.audit,
		now: new Date()
	});
	const { doses } = await vaccineChoices(staff.municipalityCode);
	return {
		values,
		preview: {
			recipients: preview.recipients,
			byDose: [...preview.byDose].map(([key, count]) => ({ label: doses.get(key) ?? key, count }))
		}
	};
}

export async function createAction(event: RequestEvent) {
	const staff = requirePermission(event.locals, permission);
	const form = await formOf(event.request);
	const values = formValues(form);
	const parsed = parseCriteria(values);
	if (!parsed.success) {
		return fail(400, {
			values,
			message: criteriaMessage(parsed.error.issues[0]?.path[0] as string)
		});
	}
	const requestKey = String(form.get('request_key') ?? '');
	if (!formKeyPattern.test(requestKey))
		return fail(400, { values, message: m.mailing_error_invalid() });
	let batchId: string;
	try {
		const batch = await createMailingBatch(db(), {
			municipalityCode: staff.municipalityCode,
			criteria: parsed.data,
			requestKey,
			actor: actorOf(staffCaller(event.locals)),
			context: event.locals.audit,
			now: new Date()
		});
		batchId = batch.id;
	} catch (failure) {
		if (failure instanceof MailingError) {
			return fail(400, {
				values,
				message: failure.code === 'empty' ? m.mailing_error_empty() : m.mailing_error_too_large()
			});
		}
		throw failure;
	}
	await (await jobs()).enqueueMailing(batchId);
	redirect(303, '/staff/mailings?done=created');
}

export async function cancelAction(event: RequestEvent) {
	const staff = requirePermission(event.locals, permission);
	const form = await formOf(event.request);
	try {
		await cancelMailing(db(), {
			municipalityCode: staff.municipalityCode,
			batchId: String(form.get('batch') ?? ''),
			actor: actorOf(staffCaller(event.locals)),
			context: event.locals.audit,
			now: new Date()
		});
	} catch (failure) {
		if (failure instanceof MailingError) return fail(409, { message: m.mailing_error_state() });
		throw failure;
	}
	redirect(303, '/staff/mailings?done=cancelled');
}

export async function sentAction(event: RequestEvent) {
	const staff = requirePermission(event.locals, permission);
	const form = await formOf(event.request);
	const sentOn = String(form.get('sent_on') ?? '');
	const today = tokyoDate(new Date());
	if (!/^\d{4}-\d{2}-\d{2}$/.test(sentOn) || sentOn > today) {
		return fail(400, { message: m.mailing_error_sent_on() });
	}
	try {
		await markMailingSent(db(), {
			municipalityCode: staff.municipalityCode,
			batchId: String(form.get('batch') ?? ''),
			sentOn,
			actor: actorOf(staffCaller(event.locals)),
			context: event.locals.audit
		});
	} catch (failure) {
		if (failure instanceof MailingError) return fail(409, { message: m.mailing_error_state() });
		throw failure;
	}
	redirect(303, '/staff/mailings?done=sent');
}

/** The merged print file, for the print room; audited. */
export async function printFile(event: RequestEvent): Promise<Response> {
	const staff = requirePermission(event.locals, permission);
	const id = event.params.id ?? '';
	if (!isUuid(id)) error(404, m.error_not_found());
	const batch = await db()
		.selectFrom('mailing_batch')
		.select(['print_file', 'recipients', 'print_pages'])
		.where('municipality_code', '=', staff.municipalityCode)
		.where('id', '=', id)
		.executeTakeFirst();
	await recordAudit(db(), {
		municipalityCode: staff.municipalityCode,
		actor: actorOf(staffCaller(event.locals)),
		context: event.locals.audit,
		action: 'mailing.download',
		objectType: 'mailing_batch',
		objectId: id,
		result: batch?.print_file ? 'ok' : 'denied',
		payload: batch ? { recipients: batch.recipients, pages: batch.print_pages } : undefined
	});
	if (!batch?.print_file) error(404, m.error_not_found());
	return new Response(new Uint8Array(batch.print_file), {
		headers: {
			'Content-Type': 'application/pdf',
			'Content-Disposition': `attachment; filename="mailing-${id.slice(0, 8)}.pdf"`,
			'Cache-Control': 'no-store',
			'X-Content-Type-Options': 'nosniff'
		}
	});
}
