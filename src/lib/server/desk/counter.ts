// The contact desk's door to 開示・訂正・利用停止請求: the open requests by days left (overdue
// first), a request received at the desk or by post registered, and a deadline extended.
// (Requests made online arrive signed through the portal: desk/online.)
import { m } from '$lib/paraglide/messages';
import { actorOf, auditAs, requirePermission, type Caller } from '../audit/caller';
import type { Executor } from '../db';
import { isUuid } from '../ids';
import { tokyoDate } from '../time';
import {
	deadlineRule,
	DeskRequestError,
	extendDeskRequest,
	identityDocuments,
	openDeskRequests,
	registerDeskRequest,
	type DeskRequestInput
} from './requests';
import { deskMachine } from './machine';

export async function deskQueue(db: Executor, caller: Caller, now = new Date()) {
	requirePermission(caller, 'disclosure.handle');
	const today = tokyoDate(now);
	const requests = await openDeskRequests(db, { municipalityCode: caller.municipalityCode, today });
	await auditAs(db, caller, {
		action: 'desk.list',
		result: 'ok',
		payload: { open: requests.length }
	});
	return {
		requests,
		today,
		deadlineRule: await deadlineRule(db, caller.municipalityCode),
		identityDocuments: [...identityDocuments]
	};
}

/** The register form as typed (trimmed); `requestKey` is its one-time key (one tap, one request). */
export type DeskForm = {
	kind: string;
	channel: string;
	atena: string;
	requesterType: string;
	requesterName: string;
	powerOfAttorney: boolean;
	identityDocuments: string[];
	whatRequested: string;
	receivedOn: string;
	follows: string;
	requestKey: string;
};

/** A request received at the desk or by post; its reference number. */
export async function registerAtDesk(
	db: Executor,
	caller: Caller,
	values: DeskForm,
	now = new Date()
): Promise<{ reference: string }> {
	requirePermission(caller, 'disclosure.handle');
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
	if (Object.keys(errors).length || !isUuid(values.requestKey)) {
		throw new DeskRequestError('invalid', 400, errors);
	}
	const follows = values.follows
		? await db
				.selectFrom('desk_request')
				.select('id')
				.where('municipality_code', '=', caller.municipalityCode)
				.where('reference', '=', values.follows.toUpperCase())
				.executeTakeFirst()
		: undefined;
	return registerDeskRequest(db, {
		municipalityCode: caller.municipalityCode,
		request: {
			kind: values.kind as DeskRequestInput['kind'],
			channel: values.channel as DeskRequestInput['channel'],
			subjectAtenaNumber: values.atena,
			requesterType: values.requesterType as DeskRequestInput['requesterType'],
			requesterName: values.requesterName,
			powerOfAttorney: values.powerOfAttorney,
			identityDocuments: values.identityDocuments.filter((code) =>
				(identityDocuments as readonly string[]).includes(code)
			),
			whatRequested: values.whatRequested,
			receivedOn: values.receivedOn,
			followsDisclosure: follows?.id,
			requestKey: values.requestKey
		},
		actor: actorOf(caller),
		context: caller.context,
		today: tokyoDate(now),
		now
	});
}

/** The statutory extension of a request's deadline, with the reason told to the requester. */
export async function extendRequest(
	db: Executor,
	caller: Caller,
	input: { id: string; reason: string },
	now = new Date()
): Promise<void> {
	requirePermission(caller, deskMachine.actions.extend.permission);
	await extendDeskRequest(db, {
		municipalityCode: caller.municipalityCode,
		id: input.id,
		reason: input.reason.slice(0, 400),
		actor: actorOf(caller),
		context: caller.context,
		today: tokyoDate(now)
	});
}

/**
 * How many open requests are overdue or due within `soonDays`, for the staff home page, so that
 * nobody has to open the desk's list to notice one running out of time. Zero for those who do
 * not handle requests.
 * @audit none — two counts, no request or person is shown
 */
export async function deadlineCounts(
	db: Executor,
	caller: Caller,
	soonDays: number,
	now = new Date()
): Promise<{ overdue: number; soon: number }> {
	if (caller.type !== 'staff' || !caller.permissions.has('disclosure.handle')) {
		return { overdue: 0, soon: 0 };
	}
	const requests = await openDeskRequests(db, {
		municipalityCode: caller.municipalityCode,
		today: tokyoDate(now)
	});
	return {
		overdue: requests.filter((request) => request.overdue).length,
		soon: requests.filter((request) => !request.overdue && request.daysLeft <= soonDays).length
	};
}
