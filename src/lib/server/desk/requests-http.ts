// The contact desk's screen for 開示・訂正・利用停止請求: the open requests by days left (overdue
// first), registering a request received at the desk, by post or online, and extending one.
import { fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { randomUUID } from 'node:crypto';
import { m } from '$lib/paraglide/messages';
import { recordAudit } from '../audit/record';
import { staffActor } from '../auth/http';
import { db } from '../db';
import { formKeyPattern } from '../db/form-key';
import { tokyoDate } from '../time';
import { requirePermission } from '../staff/permissions';
import {
	deadlineRule,
	DeskRequestError,
	extendDeskRequest,
	identityDocuments,
	openDeskRequests,
	registerDeskRequest,
	type DeskRequestInput
} from './requests';
import { formOf } from '../http/form';

const refusals: Record<DeskRequestError['code'], () => string> = {
	person_unknown: m.dose_error_person_unknown,
	identity_required: m.desk_error_identity,
	power_of_attorney_required: m.desk_error_power_of_attorney,
	online_self_only: m.desk_error_online_self,
	received_in_future: m.error_date_future,
	disclosure_required: m.desk_error_disclosure_required,
	window_closed: m.desk_error_window_closed,
	not_open: m.error_not_found,
	already_extended: m.desk_error_already_extended,
	deadline_passed: m.desk_error_deadline_passed,
	reason_required: m.desk_error_reason
};

export async function deskLoad(event: RequestEvent) {
	const staff = requirePermission(event.locals, 'disclosure.handle');
	const today = tokyoDate(new Date());
	const requests = await openDeskRequests(db(), {
		municipalityCode: staff.municipalityCode,
		today
	});
	await recordAudit(db(), {
		municipalityCode: staff.municipalityCode,
		actor: staffActor(event.locals),
		context: event.locals.audit,
		action: 'desk.list',
		result: 'ok',
		payload: { open: requests.length }
	});
	return {
		requests,
		today,
		deadlineRule: await deadlineRule(db(), staff.municipalityCode),
		identityDocuments: [...identityDocuments],
		done: event.url.searchParams.get('done'),
		// The register form's one-time key: a double tap on 登録 registers one request.
		requestKey: randomUUID()
	};
}

export async function registerAction(event: RequestEvent) {
	const staff = requirePermission(event.locals, 'disclosure.handle');
	const form = await formOf(event.request);
	const field = (name: string) =>
		String(form.get(name) ?? '')
			.trim()
			.slice(0, 2000);
	const values = {
		kind: field('kind'),
		channel: field('channel'),
		atena: field('atena'),
		requesterType: field('requester_type'),
		requesterName: field('requester_name'),
		powerOfAttorney: form.get('power_of_attorney') === 'on',
		identityDocuments: form
			.getAll('identity')
			.map(String)
			.filter((code) => (identityDocuments as readonly string[]).includes(code)),
		whatRequested: field('what'),
		receivedOn: field('received_on'),
		follows: field('follows').toUpperCase()
	};
	const errors: Record<string, string> = {};
	if (!['disclosure', 'correction', 'suspension'].includes(values.kind))
		errors.kind = m.desk_error_kind();
	// Online requests arrive signed through the portal, never typed in here.
	if (!['desk', 'mail'].includes(values.channel)) errors.channel = m.desk_error_kind();
	if (!['self', 'legal_representative', 'agent'].includes(values.requesterType))
		errors.requester_type = m.desk_error_kind();
	if (!values.requesterName) errors.requester_name = m.relief_error_claimant();
	if (!values.whatRequested) errors.what = m.desk_error_what();
	if (!/^\d{4}-\d{2}-\d{2}$/.test(values.receivedOn)) errors.received_on = m.error_date_format();
	if (!/^[0-9]{1,15}$/.test(values.atena)) errors.atena = m.dose_error_person_unknown();
	const requestKey = String(form.get('request_key') ?? '');
	if (Object.keys(errors).length || !formKeyPattern.test(requestKey))
		return fail(400, { values, errors, message: m.dose_change_invalid() });
	const follows = values.follows
		? await db()
				.selectFrom('desk_request')
				.select('id')
				.where('municipality_code', '=', staff.municipalityCode)
				.where('reference', '=', values.follows)
				.executeTakeFirst()
		: undefined;
	try {
		const created = await registerDeskRequest(db(), {
			municipalityCode: staff.municipalityCode,
			request: {
				kind: values.kind as DeskRequestInput['kind'],
				channel: values.channel as DeskRequestInput['channel'],
				subjectAtenaNumber: values.atena,
				requesterType: values.requesterType as DeskRequestInput['requesterType'],
				requesterName: values.requesterName,
				powerOfAttorney: values.powerOfAttorney,
				identityDocuments: values.identityDocuments,
				whatRequested: values.whatRequested,
				receivedOn: values.receivedOn,
				followsDisclosure: follows?.id,
				requestKey
			},
			actor: staffActor(event.locals),
			context: event.locals.audit,
			today: tokyoDate(new Date()),
			now: new Date()
		});
		redirect(303, `/staff/desk?done=${created.reference}`);
	} catch (failure) {
		if (failure instanceof DeskRequestError) {
			return fail(400, { values, errors: {}, message: refusals[failure.code]() });
		}
		throw failure;
	}
}

export async function extendAction(event: RequestEvent) {
	const staff = requirePermission(event.locals, 'disclosure.handle');
	const form = await formOf(event.request);
	try {
		await extendDeskRequest(db(), {
			municipalityCode: staff.municipalityCode,
			id: String(form.get('id') ?? ''),
			reason: String(form.get('reason') ?? '').slice(0, 400),
			actor: staffActor(event.locals),
			context: event.locals.audit,
			today: tokyoDate(new Date())
		});
	} catch (failure) {
		if (failure instanceof DeskRequestError) {
			return fail(400, { message: refusals[failure.code]() });
		}
		throw failure;
	}
	redirect(303, '/staff/desk?done=extended');
}
