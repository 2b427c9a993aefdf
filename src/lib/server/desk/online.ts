// 開示・訂正・利用停止請求 made online (DOMAIN.md P5: only by the person themselves, with strong
// authentication). The request is a signed act: the person's passkey, with user verification,
// signs the request's own words, and the desk receives it like any other, its clock starting the
// day it arrives. A child's data is requested at the desk by the 法定代理人, who proves that role
// there; the portal takes requests about the signed-in person only.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { m } from '$lib/paraglide/messages';
import { actorOf, requireResident, type Caller } from '../audit/caller';
import type { SignedAct } from '../auth/signing';
import type { Executor, PortalZoneExecutor } from '../db';
import { DomainError } from '../errors';
import { tokyoDate } from '../time';
import { correctionWindowEnd, daysLeft } from './clock';
import { reportViews, shownPeople } from '../residents/people';
import type { ProjectedDisclosure } from '../zone/shapes';
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

/**
 * The person's own requests made online, the disclosures they can still follow, the clock — as
 * the back office published them to the portal zone (issue 27, desk/projection.ts).
 */
export async function ownDeskRequests(
	zone: PortalZoneExecutor,
	caller: Caller,
	/**
	 * `done`: a reference to confirm; `sent`: the one-time key of a request just sent to the city
	 * (issue 27), confirmed by its reference once it has been taken in; `deadlineDays`: the
	 * city's (the desk's clock, said on the form).
	 */
	input: { done?: string | null; sent?: string | null; deadlineDays: number; now?: Date }
) {
	requireResident(caller);
	const now = input.now ?? new Date();
	const today = tokyoDate(now);
	const { deskRequests: requests, disclosures } = await shownPeople(zone, caller, now);
	await reportViews(zone, caller, { page: 'requests', refs: [], rows: requests.length }, now);
	return {
		requests: requests.map((row) => ({
			id: row.id,
			reference: row.reference,
			kind: row.kind,
			receivedOn: row.receivedOn,
			due: row.due,
			daysLeft: daysLeft(row.due, today),
			status: row.status,
			decision: row.decision,
			decidedOn: row.decidedOn,
			delivery: row.delivery
		})),
		disclosures: followableNow(disclosures, today).map((row) => ({
			id: row.id,
			reference: row.reference,
			until: correctionWindowEnd(row.decidedOn)
		})),
		deadlineDays: input.deadlineDays,
		// The "受け付けました" notice names a request of this person's, never text from the URL.
		done:
			requests.find(
				(row) =>
					(input.done && row.reference === input.done) ||
					(input.sent && row.requestKey === input.sent)
			)?.reference ?? null,
		requestKey: randomUUID()
	};
}

/** The published disclosures a correction or suspension can still follow today. */
const followableNow = (disclosures: readonly ProjectedDisclosure[], today: string) =>
	disclosures.filter((row) => correctionWindowEnd(row.decidedOn) >= today);

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
	zone: PortalZoneExecutor,
	caller: Caller,
	body: unknown,
	now = new Date()
): Promise<OnlineRequestPayload> {
	requireResident(caller);
	const parsed = onlineRequestForm.safeParse(body);
	if (!parsed.success) throw new OnlineRequestError('invalid');
	const { kind, what, follows, key } = parsed.data;
	if (kind !== 'disclosure') {
		// As published; the back office checks it again against its own records on intake.
		const { disclosures } = await shownPeople(zone, caller, now);
		if (!follows || !followableNow(disclosures, tokyoDate(now)).some((row) => row.id === follows))
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

/** What a request signs, as the back office reads it back: nothing else is registered. */
const signedRequest = z
	.object({
		type: z.literal('desk_request'),
		municipality: z.string(),
		person: z.string(),
		kind: onlineRequestForm.shape.kind,
		whatRequested: onlineRequestForm.shape.what,
		followsDisclosure: z.string().uuid().nullable().optional(),
		requestKey: z.string().uuid()
	})
	.strict();

/** The one-time key a signed request names (what the portal's item is about). */
export function signedRequestKey(payload: string): string | undefined {
	try {
		const parsed = signedRequest.safeParse(JSON.parse(payload));
		return parsed.success ? parsed.data.requestKey : undefined;
	} catch {
		return undefined;
	}
}

/**
 * A request signed on the portal, taken in by the back office (issue 27) in the transaction that
 * stores its signature (`trx`, the act verified again inside): what was signed is what is
 * registered, and it is checked again here — about the signer themselves, in their city, a
 * correction or suspension following a decided disclosure of theirs still open to one. Answers
 * 'moved' when the same page's request was registered already (an earlier signing whose answer
 * was lost): that signature is the request's. Throws OnlineRequestError when what was signed is
 * not such a request.
 */
export async function takeInDeskRequest(
	trx: Executor,
	caller: Caller,
	input: { act: SignedAct; now: Date }
): Promise<'applied' | 'moved'> {
	requireResident(caller);
	const { act, now } = input;
	let payload: unknown;
	try {
		payload = JSON.parse(act.payload);
	} catch {
		throw new OnlineRequestError('invalid');
	}
	const parsed = signedRequest.safeParse(payload);
	if (
		act.kind !== 'desk_request' ||
		!parsed.success ||
		parsed.data.person !== caller.atenaNumber ||
		parsed.data.municipality !== caller.municipalityCode
	)
		throw new OnlineRequestError('invalid');
	const signed = parsed.data;
	const today = tokyoDate(now);
	if (signed.kind !== 'disclosure') {
		const follows = signed.followsDisclosure;
		if (!follows || !(await followable(trx, caller, today)).some((row) => row.id === follows))
			throw new OnlineRequestError('disclosure_required');
	}
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
				receivedOn: today,
				followsDisclosure: signed.followsDisclosure ?? undefined,
				signedActId: act.id,
				requestKey: signed.requestKey
			},
			actor: actorOf(caller),
			context: caller.context,
			today,
			now
		});
		return created.repeated ? 'moved' : 'applied';
	} catch (failure) {
		if (failure instanceof DeskRequestError) throw new OnlineRequestError('invalid');
		throw failure;
	}
}

/** Where the person is sent once a signed request has been sent to the city. */
export const afterRequest = (requestKey: string | undefined) => ({
	redirect: `/requests?sent=${requestKey ?? ''}`
});
