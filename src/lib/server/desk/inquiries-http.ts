// The desk's 問合せ・苦情 log: log a call or visit, answer and close it.
import { fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { randomUUID } from 'node:crypto';
import { m } from '$lib/paraglide/messages';
import { recordAudit } from '../audit/record';
import { staffActor } from '../auth/http';
import { db } from '../db';
import { formKeyPattern } from '../db/form-key';
import { tokyoDate } from '../time';
import { requirePermission } from '../staff/permissions';
import { closeInquiry, InquiryError, inquiryInput, inquiryLog, logInquiry } from './inquiries';
import { formOf } from '../http/form';

export async function inquiriesLoad(event: RequestEvent) {
	const staff = requirePermission(event.locals, 'disclosure.handle');
	const rows = await inquiryLog(db(), { municipalityCode: staff.municipalityCode });
	await recordAudit(db(), {
		municipalityCode: staff.municipalityCode,
		actor: staffActor(event.locals),
		context: event.locals.audit,
		action: 'inquiry.list',
		result: 'ok',
		payload: { rows: rows.length }
	});
	// The log form's one-time key: a double tap on 記録 logs one inquiry.
	return { rows, done: event.url.searchParams.get('done'), requestKey: randomUUID() };
}

export async function logAction(event: RequestEvent) {
	const staff = requirePermission(event.locals, 'disclosure.handle');
	const form = await formOf(event.request);
	const values = {
		kind: String(form.get('kind') ?? ''),
		channel: String(form.get('channel') ?? ''),
		callerName: String(form.get('caller') ?? '').slice(0, 200),
		subjectAtenaNumber: String(form.get('atena') ?? '').slice(0, 20),
		subject: String(form.get('subject') ?? '').slice(0, 2000)
	};
	const parsed = inquiryInput.safeParse(values);
	const requestKey = String(form.get('request_key') ?? '');
	if (!parsed.success || !formKeyPattern.test(requestKey))
		return fail(400, { values, message: m.inquiry_invalid() });
	try {
		await logInquiry(db(), {
			municipalityCode: staff.municipalityCode,
			inquiry: parsed.data,
			requestKey,
			actor: staffActor(event.locals),
			context: event.locals.audit,
			now: new Date()
		});
	} catch (failure) {
		if (failure instanceof InquiryError) {
			return fail(400, { values, message: m.dose_error_person_unknown() });
		}
		throw failure;
	}
	redirect(303, '/staff/desk/inquiries?done=logged');
}

export async function closeAction(event: RequestEvent) {
	const staff = requirePermission(event.locals, 'disclosure.handle');
	const form = await formOf(event.request);
	try {
		await closeInquiry(db(), {
			municipalityCode: staff.municipalityCode,
			id: String(form.get('id') ?? ''),
			response: String(form.get('response') ?? ''),
			actor: staffActor(event.locals),
			context: event.locals.audit,
			today: tokyoDate(new Date())
		});
	} catch (failure) {
		if (failure instanceof InquiryError) {
			return fail(400, {
				message:
					failure.code === 'response_required' ? m.inquiry_response_required() : m.error_not_found()
			});
		}
		throw failure;
	}
	redirect(303, '/staff/desk/inquiries?done=closed');
}
