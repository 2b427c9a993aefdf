// 開示・訂正・利用停止請求 made online (DOMAIN.md P5: only by the person themselves, with strong
// authentication). The request is a signed act: the person's passkey, with user verification,
// signs the request's own words, and the desk receives it like any other, its clock starting the
// day it arrives. A child's data is requested at the desk by the 法定代理人, who proves that role
// there; the portal takes requests about the signed-in person only.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { m } from '$lib/paraglide/messages';
import { actorOf, auditAs, requireResident, type Caller } from '../audit/caller';
import { AnswerWithoutAct } from '../auth/signed-acts';
import type { SignedAct } from '../auth/signing';
import type { Executor } from '../db';
import { DomainError } from '../errors';
import { tokyoDate } from '../time';
import { correctionWindowEnd, daysLeft } from './clock';
import { DeskRequestError, registerDeskRequest } from './requests';

export class OnlineRequestError extends DomainError<'invalid' | 'disclosure_required'> {
	protected readonly messages = {
		invalid: m.online_request_invalid,
		disclosure_required: m.desk_error_disclosure_required
	};
}

export const onlineRequestForm = z.object({
	kind: z.enum(['disclosure', 'correction', 'suspension']),
	what: z.string().trim().min(1).max(2000),
	follows: z
		.string()
		.uuid()
		.optional()
		.or(z.literal('').transform(() => undefined)),
	/** The page's one-time key: signing the same request again registers it once. */
	key: z.string().uuid()
});

/** Decided disclosures about the person that a correction or suspension can still follow. */
async function followable(db: Executor, caller: Caller & { atenaNumber: string }, today: string) {
	const rows = await db
		.selectFrom('desk_request')
		.select(['id', 'reference', 'decided_on'])
		.where('municipality_code', '=', caller.municipalityCode)
		.where('subject_atena_number', '=', caller.atenaNumber)
		.where('kind', '=', 'disclosure')
		.where('status', '=', 'decided')
		.where('decision', '<>', 'none')
		.execute();
	return rows.filter((row) => correctionWindowEnd(row.decided_on!) >= today);
}

/** The person's own requests made online, the disclosures they can still follow, the clock. */
export async function ownDeskRequests(
	db: Executor,
	caller: Caller,
	input: { done: string | null; now?: Date }
) {
	requireResident(caller);
	const today = tokyoDate(input.now ?? new Date());
	const [requests, disclosures, city] = await Promise.all([
		db
			.selectFrom('desk_request as d')
			.innerJoin('signed_act as s', 's.id', 'd.signed_act_id')
			.select([
				'd.id',
				'd.reference',
				'd.kind',
				'd.received_on',
				'd.deadline',
				'd.extended_deadline',
				'd.status',
				'd.decision',
				'd.decided_on',
				'd.delivery'
			])
			.where('s.resident_account_id', '=', caller.id)
			.orderBy('d.created_at', 'desc')
			.limit(50)
			.execute(),
		followable(db, caller, today),
		db
			.selectFrom('municipality')
			.select('disclosure_deadline_days')
			.where('municipality_code', '=', caller.municipalityCode)
			.executeTakeFirstOrThrow()
	]);
	await auditAs(db, caller, {
		action: 'desk.list',
		subjectAtenaNumber: caller.atenaNumber,
		result: 'ok',
		payload: { own: requests.length }
	});
	return {
		requests: requests.map((row) => {
			const due = row.extended_deadline ?? row.deadline;
			return {
				id: row.id,
				reference: row.reference,
				kind: row.kind,
				receivedOn: row.received_on,
				due,
				daysLeft: daysLeft(due, today),
				status: row.status,
				decision: row.decision,
				decidedOn: row.decided_on,
				delivery: row.delivery
			};
		}),
		disclosures: disclosures.map((row) => ({
			id: row.id,
			reference: row.reference,
			until: correctionWindowEnd(row.decided_on!)
		})),
		deadlineDays: city.disclosure_deadline_days,
		// The "受け付けました" notice names a request of this person's, never text from the URL.
		done: requests.some((row) => row.reference === input.done) ? input.done : null,
		requestKey: randomUUID()
	};
}

export type OnlineRequestPayload = {
	type: 'desk_request';
	municipality: string;
	person: string;
	kind: 'disclosure' | 'correction' | 'suspension';
	whatRequested: string;
	followsDisclosure: string | null | undefined;
	requestKey: string;
};

/**
 * What the person signs: the request in their own words, about themselves.
 * @audit none — checks the person's own words before they sign; the signed request is audited.
 */
export async function onlineRequestToSign(
	db: Executor,
	caller: Caller,
	body: unknown
): Promise<OnlineRequestPayload> {
	requireResident(caller);
	const parsed = onlineRequestForm.safeParse(body);
	if (!parsed.success) throw new OnlineRequestError('invalid');
	const { kind, what, follows, key } = parsed.data;
	if (kind !== 'disclosure') {
		const today = tokyoDate(new Date());
		if (!follows || !(await followable(db, caller, today)).some((row) => row.id === follows))
			throw new OnlineRequestError('disclosure_required');
	}
	return {
		type: 'desk_request',
		municipality: caller.municipalityCode,
		person: caller.atenaNumber,
		kind,
		whatRequested: what,
		followsDisclosure: kind === 'disclosure' ? null : follows,
		requestKey: key
	};
}

const doneAt = (reference: string) => `/requests?done=${reference}`;

/**
 * The signed request registered at the desk, in the transaction that stores the signature
 * (`trx`). What was signed is what is registered: the stored act's payload, not the browser's.
 */
export async function registerSignedRequest(
	trx: Executor,
	caller: Caller,
	act: SignedAct
): Promise<{ redirect: string }> {
	requireResident(caller);
	const signed = JSON.parse(act.payload) as OnlineRequestPayload;
	if (act.kind !== 'desk_request' || signed.person !== caller.atenaNumber)
		throw new OnlineRequestError('invalid');
	const person = await trx
		.selectFrom('resident')
		.select('name_kanji')
		.where('municipality_code', '=', caller.municipalityCode)
		.where('atena_number', '=', caller.atenaNumber)
		.executeTakeFirstOrThrow();
	try {
		const created = await registerDeskRequest(trx, {
			municipalityCode: caller.municipalityCode,
			request: {
				kind: signed.kind,
				channel: 'online',
				subjectAtenaNumber: caller.atenaNumber,
				requesterType: 'self',
				requesterName: person.name_kanji,
				powerOfAttorney: false,
				identityDocuments: ['portal_signature'],
				whatRequested: signed.whatRequested,
				receivedOn: tokyoDate(new Date()),
				followsDisclosure: signed.followsDisclosure ?? undefined,
				signedActId: act.id,
				requestKey: signed.requestKey
			},
			actor: actorOf(caller),
			context: caller.context,
			today: tokyoDate(new Date()),
			now: new Date()
		});
		// Registered by an earlier signing of this page whose answer was lost: that signature
		// is the request's, and this one is rolled back.
		if (created.repeated) throw new AnswerWithoutAct({ redirect: doneAt(created.reference) });
		return { redirect: doneAt(created.reference) };
	} catch (failure) {
		if (failure instanceof DeskRequestError) throw new OnlineRequestError('invalid');
		throw failure;
	}
}
