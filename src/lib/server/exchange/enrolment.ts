// Enrolment on the portal (issue 27, docs/zones.md): the portal no longer checks a letter code or
// a desk link, nor confirms a passkey. It forwards the claim to the back office, which issued the
// code and checks it, and shows the answer; it checks the passkey the resident then makes against
// the back office's challenge (so a mistake is said at once) and forwards it; the back office
// verifies it again and binds it, and the portal starts the session once the answer names the
// account. Each browser's claim is found by its ceremony cookie.
import { randomUUID } from 'node:crypto';
import type { Caller } from '../audit/caller';
import { reportCeremonyFailure } from '../auth/ceremony-failure';
import { claimLifetimeMinutes } from '../auth/enrolment';
import { AuthFailure } from '../auth/failures';
import { count, isLimited, limits } from '../auth/rate-limit';
import type { ResidentClaim } from '../auth/registration';
import { sessionManagers } from '../auth/relying-party';
import type { Client, SessionCookie } from '../auth/sign-in';
import { checkRegistration, type RegistrationPolicy, type RelyingParty } from '../auth/webauthn';
import type { PortalZoneExecutor } from '../db';
import {
	claimAnswer,
	registrationAnswer,
	type EnrolmentClaimBody,
	type EnrolmentRegistrationBody
} from './items';
import { addItem } from '../zone/items';

/** Where this browser's enrolment stands, as the portal knows it from the back office's answers. */
export type EnrolmentStanding =
	| { step: 'none' }
	| { step: 'checking'; by: ResidentClaim['by'] }
	| { step: 'declined'; by: ResidentClaim['by']; claimId: string }
	/** Not accepted, and this address is past its failures: nothing more is said. */
	| { step: 'limited'; by: ResidentClaim['by'] }
	| {
			step: 'accepted';
			claimId: string;
			options: Record<string, unknown> & { challenge: string };
			/** The passkey last sent: none yet, on its way, or not confirmed inside. */
			registration: 'none' | 'sending' | 'refused';
	  }
	| { step: 'registered'; claimId: string; accountId: string; credentialId: string };

/**
 * A letter code with the birth date, or a desk link, forwarded to the back office for this
 * browser, unless the address is past its failures (30 in 15 minutes; `shownEnrolment` counts
 * them).
 * @audit reported — the refusal for too many failures from one address goes as an 'auth_event'
 * item (the claim never reaches the back office, which audits every claim it checks)
 */
export async function sendEnrolmentClaim(
	zone: PortalZoneExecutor,
	caller: Caller,
	input: { claim: ResidentClaim; ceremonyHash: Buffer; client: Client; now?: Date }
): Promise<{ sent: true } | { sent: false; failure: AuthFailure }> {
	const now = input.now ?? new Date();
	if (await isLimited(zone, limits.codeFailuresPerIp(input.client.ip), now)) {
		const failure = new AuthFailure('rate_limited', 'code failures from this address');
		await reportCeremonyFailure(zone, caller, { action: 'auth.enrolment_claim', failure });
		return { sent: false, failure };
	}
	const claimId = randomUUID();
	const body: EnrolmentClaimBody = {
		claimId,
		claim: input.claim,
		...(caller.context ? { context: caller.context } : {})
	};
	await zone.transaction().execute(async (trx) => {
		// Attempts whose claim has run out are of no use to anyone a day later.
		await trx
			.deleteFrom('enrolment_attempt')
			.where('expires_at', '<', new Date(now.getTime() - 86_400_000))
			.execute();
		await trx
			.insertInto('enrolment_attempt')
			.values({
				claim_id: claimId,
				ceremony_hash: input.ceremonyHash,
				started_at: now,
				expires_at: new Date(now.getTime() + claimLifetimeMinutes * 60_000)
			})
			.execute();
		await addItem(trx, {
			kind: 'enrolment_claim',
			resident_account_id: null,
			body: JSON.stringify(body),
			arrived_at: now,
			object_id: claimId
		});
	});
	return { sent: true };
}

/**
 * This browser's latest enrolment still within its claim's lifetime, and where it stands.
 * @audit none — the browser's own claim, read back from the portal's records of what it sent
 */
export async function enrolmentStanding(
	zone: PortalZoneExecutor,
	_caller: Caller,
	input: { ceremonyHash: Buffer; now?: Date }
): Promise<EnrolmentStanding> {
	const now = input.now ?? new Date();
	const attempt = await zone
		.selectFrom('enrolment_attempt')
		.select(['claim_id'])
		.where('ceremony_hash', '=', input.ceremonyHash)
		.where('expires_at', '>', now)
		.orderBy('started_at', 'desc')
		.executeTakeFirst();
	if (!attempt) return { step: 'none' };
	const items = await zone
		.selectFrom('exchange_item')
		.select(['kind', 'body', 'outcome', 'answer'])
		.where('object_id', '=', attempt.claim_id)
		.where('resident_account_id', 'is', null)
		.orderBy('seq')
		.execute();
	const claim = items.find((item) => item.kind === 'enrolment_claim');
	if (!claim) return { step: 'none' };
	const by = (claim.body as EnrolmentClaimBody).claim.by;
	if (claim.outcome === null) return { step: 'checking', by };
	const answered = claimAnswer.safeParse(claim.answer);
	if (claim.outcome !== 'applied' || !answered.success || !answered.data.accepted)
		return { step: 'declined', by, claimId: attempt.claim_id };
	const last = items.filter((item) => item.kind === 'enrolment_registration').at(-1);
	if (last?.outcome === 'applied') {
		const registered = registrationAnswer.safeParse(last.answer);
		if (registered.success)
			return { step: 'registered', claimId: attempt.claim_id, ...registered.data };
	}
	return {
		step: 'accepted',
		claimId: attempt.claim_id,
		options: answered.data.options,
		registration: !last ? 'none' : last.outcome === null ? 'sending' : 'refused'
	};
}

/**
 * The standing once the back office has answered, or as it is after `waitMs`: the page that sent
 * a claim or a passkey says the answer in the same response when it comes within a few seconds.
 * @audit none — enrolmentStanding read again until the answer comes: the browser's own claim.
 */
export async function awaitEnrolment(
	zone: PortalZoneExecutor,
	caller: Caller,
	input: { ceremonyHash: Buffer; waitMs: number; pollMs?: number }
): Promise<EnrolmentStanding> {
	const until = Date.now() + input.waitMs;
	for (;;) {
		const standing = await enrolmentStanding(zone, caller, input);
		const waiting =
			standing.step === 'checking' ||
			(standing.step === 'accepted' && standing.registration === 'sending');
		if (!waiting || Date.now() >= until) return standing;
		await new Promise((resolve) => setTimeout(resolve, input.pollMs ?? 100));
	}
}

/**
 * The standing as the browser is shown it: a claim not accepted is counted against the address
 * the first time it is shown (once per claim), and once the address is past its failures, no
 * more of them are shown — a guesser learns at most that many answers in the window, however many
 * claims they send unseen.
 * @audit none — the browser's own claim; the back office audited the claim, and a refusal for the
 * address is audited when the next claim is refused
 */
export async function shownEnrolment(
	zone: PortalZoneExecutor,
	_caller: Caller,
	input: { standing: EnrolmentStanding; client: Client; now?: Date }
): Promise<EnrolmentStanding> {
	const { standing } = input;
	if (standing.step !== 'declined') return standing;
	const now = input.now ?? new Date();
	const limit = limits.codeFailuresPerIp(input.client.ip);
	const first = await zone
		.updateTable('enrolment_attempt')
		.set({ declined_counted_at: now })
		.where('claim_id', '=', standing.claimId)
		.where('declined_counted_at', 'is', null)
		.executeTakeFirst();
	if (first.numUpdatedRows === 1n) await count(zone, limit, now);
	return (await isLimited(zone, limit, now)) ? { step: 'limited', by: standing.by } : standing;
}

/**
 * The passkey the browser made with the back office's options: checked here against that
 * challenge, the portal's origin and the city's policy (a wrong one is said at once, and the
 * options stay usable), then forwarded for the back office to verify again and confirm. One
 * waits at a time: a double tap sends it once.
 * @audit none here — a failed check is audited by the ceremony step (http/ceremony.ts); the back
 * office audits the registration it confirms or refuses
 */
export async function sendEnrolmentRegistration(
	zone: PortalZoneExecutor,
	caller: Caller,
	input: {
		ceremonyHash: Buffer;
		response: unknown;
		locale: 'ja' | 'en';
		/** The portal's relying party (its origin and RP ID). */
		rp: RelyingParty;
		/** The city's passkey policy as published (the back office checks it again as it stands). */
		policy: RegistrationPolicy;
		now?: Date;
	}
): Promise<void> {
	const now = input.now ?? new Date();
	const standing = await enrolmentStanding(zone, caller, { ceremonyHash: input.ceremonyHash, now });
	if (standing.step !== 'accepted' || standing.registration === 'sending')
		throw new AuthFailure('enrolment_missing');
	await checkRegistration(input.rp, {
		response: input.response,
		challenge: standing.options.challenge,
		policy: input.policy
	});
	const body: EnrolmentRegistrationBody = {
		claimId: standing.claimId,
		response: input.response as Record<string, unknown>,
		locale: input.locale,
		...(caller.context ? { context: caller.context } : {})
	};
	await addItem(zone, {
		kind: 'enrolment_registration',
		resident_account_id: null,
		body: JSON.stringify(body),
		arrived_at: now,
		object_id: standing.claimId
	});
}

/**
 * The session an enrolment ends in, started once: when the back office's answer names the account
 * and no session was started for this claim before (a second tab or a replayed cookie gets none).
 * @audit none — the back office audited the registration this session follows; the session is
 * the resident's own
 */
export async function signInEnrolled(
	zone: PortalZoneExecutor,
	caller: Caller,
	input: {
		standing: Extract<EnrolmentStanding, { step: 'registered' }>;
		previousSession: string | undefined;
		client: Client;
		now?: Date;
	}
): Promise<SessionCookie | null> {
	const now = input.now ?? new Date();
	const first = await zone
		.updateTable('enrolment_attempt')
		.set({ signed_in_at: now })
		.where('claim_id', '=', input.standing.claimId)
		.where('signed_in_at', 'is', null)
		.executeTakeFirst();
	if (first.numUpdatedRows !== 1n) return null;
	const manager = sessionManagers().resident;
	if (input.previousSession) await manager.end(input.previousSession);
	const { cookie } = await manager.start({
		ownerId: input.standing.accountId,
		municipalityCode: caller.municipalityCode,
		credentialId: input.standing.credentialId,
		ip: input.client.ip,
		userAgent: input.client.userAgent,
		now
	});
	return cookie;
}
