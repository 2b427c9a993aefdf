// 開示・訂正・利用停止請求 made online (DOMAIN.md P5: only by the person themselves, with strong
// authentication). The request is a signed act: the person's passkey, with user verification,
// signs the request's own words, and the desk receives it like any other, its clock starting the
// day it arrives. A child's data is requested at the desk by the 法定代理人, who proves that role
// there; the portal takes requests about the signed-in person only.
import { actorOf } from '../audit/caller';
import { residentCaller } from '../http/caller';
import { error, type RequestEvent } from '@sveltejs/kit';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { m } from '$lib/paraglide/messages';
import { recordAudit } from '../audit/record';
import { AnswerWithoutAct } from '../auth/signed-acts';
import { signOptions, signVerify } from '../http/ceremony';
import { db } from '../db';
import { tokyoDate } from '../time';
import { correctionWindowEnd, daysLeft } from './clock';
import { DeskRequestError, registerDeskRequest } from './requests';

const requestForm = z.object({
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

async function ownRequests(event: RequestEvent) {
	const resident = event.locals.resident!;
	return db()
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
		.where('s.resident_account_id', '=', resident.accountId)
		.orderBy('d.created_at', 'desc')
		.limit(50)
		.execute();
}

/** Decided disclosures about the person that a correction or suspension can still follow. */
async function followable(event: RequestEvent, today: string) {
	const resident = event.locals.resident!;
	const rows = await db()
		.selectFrom('desk_request')
		.select(['id', 'reference', 'decided_on'])
		.where('municipality_code', '=', resident.municipalityCode)
		.where('subject_atena_number', '=', resident.atenaNumber)
		.where('kind', '=', 'disclosure')
		.where('status', '=', 'decided')
		.where('decision', '<>', 'none')
		.execute();
	return rows.filter((row) => correctionWindowEnd(row.decided_on!) >= today);
}

export async function onlineRequestsLoad(event: RequestEvent) {
	const resident = event.locals.resident!;
	const today = tokyoDate(new Date());
	const [requests, disclosures, city] = await Promise.all([
		ownRequests(event),
		followable(event, today),
		db()
			.selectFrom('municipality')
			.select('disclosure_deadline_days')
			.where('municipality_code', '=', resident.municipalityCode)
			.executeTakeFirstOrThrow()
	]);
	await recordAudit(db(), {
		municipalityCode: resident.municipalityCode,
		actor: actorOf(residentCaller(event.locals)),
		context: event.locals.audit,
		action: 'desk.list',
		subjectAtenaNumber: resident.atenaNumber,
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
		done: requests.some((row) => row.reference === event.url.searchParams.get('done'))
			? event.url.searchParams.get('done')
			: null,
		requestKey: randomUUID()
	};
}

/** What the person signs: the request in their own words, about themselves. */
async function payloadFor(event: RequestEvent, body: unknown) {
	const resident = event.locals.resident!;
	const parsed = requestForm.safeParse(body);
	if (!parsed.success) error(400, m.online_request_invalid());
	const { kind, what, follows, key } = parsed.data;
	if (kind !== 'disclosure') {
		const today = tokyoDate(new Date());
		if (!follows || !(await followable(event, today)).some((row) => row.id === follows))
			error(400, m.desk_error_disclosure_required());
	}
	return {
		type: 'desk_request',
		municipality: resident.municipalityCode,
		person: resident.atenaNumber,
		kind,
		whatRequested: what,
		followsDisclosure: kind === 'disclosure' ? null : follows,
		requestKey: key
	};
}

const doneAt = (reference: string) => `/requests?done=${reference}`;

export const onlineRequest = {
	options: (event: RequestEvent) =>
		signOptions(event, async (body) => ({
			kind: 'desk_request',
			payload: await payloadFor(event, body)
		})),
	verify: (event: RequestEvent) =>
		signVerify(event, async (act, trx) => {
			const resident = event.locals.resident!;
			// What was signed is what is registered: the stored act's payload, not the browser's.
			const signed = JSON.parse(act.payload) as Awaited<ReturnType<typeof payloadFor>>;
			if (act.kind !== 'desk_request' || signed.person !== resident.atenaNumber)
				error(400, m.online_request_invalid());
			const person = await trx
				.selectFrom('resident')
				.select('name_kanji')
				.where('municipality_code', '=', resident.municipalityCode)
				.where('atena_number', '=', resident.atenaNumber)
				.executeTakeFirstOrThrow();
			try {
				const created = await registerDeskRequest(trx, {
					municipalityCode: resident.municipalityCode,
					request: {
						kind: signed.kind,
						channel: 'online',
						subjectAtenaNumber: resident.atenaNumber,
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
					actor: actorOf(residentCaller(event.locals)),
					context: event.locals.audit,
					today: tokyoDate(new Date()),
					now: new Date()
				});
				// Registered by an earlier signing of this page whose answer was lost: that signature
				// is the request's, and this one is rolled back.
				if (created.repeated) throw new AnswerWithoutAct({ redirect: doneAt(created.reference) });
				return { redirect: doneAt(created.reference) };
			} catch (failure) {
				if (failure instanceof DeskRequestError) error(400, m.online_request_invalid());
				throw failure;
			}
		})
};
