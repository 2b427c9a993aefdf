// The HTTP side of a resident's enrolment through the exchange (issue 27): the claim forwarded
// and its answer awaited for a few seconds (the back office usually answers within one), the
// passkey's options read from that answer, the passkey forwarded and the session started once the
// back office has confirmed it. When the answer is slow, the passkey page follows it.
import { redirect, type RequestEvent } from '@sveltejs/kit';
import { getLocale } from '$lib/paraglide/runtime';
import { AuthFailure } from '../auth/failures';
import { portalCity } from '../auth/passkeys';
import type { ResidentClaim } from '../auth/registration';
import { portalZoneDb } from '../db';
import {
	awaitEnrolment,
	enrolmentStanding,
	sendEnrolmentClaim,
	sendEnrolmentRegistration,
	shownEnrolment,
	signInEnrolled,
	type EnrolmentStanding
} from '../exchange/enrolment';
import { publicCaller } from './caller';
import {
	ceremony,
	ceremonyHash,
	clientOf,
	readJson,
	sessionCookieOf,
	setSessionCookie
} from './ceremony';

/** How long a request waits for the back office's answer before the page follows it instead. */
const answerWaitMs = 8_000;

/**
 * A claim sent from a form: 'limited' (too many from this address), 'declined' (the code or link
 * was not accepted), or the passkey page to go to (accepted, or still being checked).
 */
export async function claimFromForm(
	event: RequestEvent,
	claim: ResidentClaim
): Promise<'limited' | 'declined' | 'continue'> {
	const caller = await publicCaller(event.locals);
	const zone = portalZoneDb();
	const hash = ceremonyHash(event.cookies);
	const sent = await sendEnrolmentClaim(zone, caller, {
		claim,
		ceremonyHash: hash,
		client: clientOf(event)
	});
	if (!sent.sent) return 'limited';
	const standing = await shownEnrolment(zone, caller, {
		standing: await awaitEnrolment(zone, caller, { ceremonyHash: hash, waitMs: answerWaitMs }),
		client: clientOf(event)
	});
	return standing.step === 'declined'
		? 'declined'
		: standing.step === 'limited'
			? 'limited'
			: 'continue';
}

/**
 * The passkey page's standing; a confirmed registration starts the session here (once) and goes
 * home, no claim goes back to the start.
 */
export async function enrolmentPage(event: RequestEvent): Promise<EnrolmentStanding> {
	const caller = await publicCaller(event.locals);
	const zone = portalZoneDb();
	const standing = await shownEnrolment(zone, caller, {
		standing: await enrolmentStanding(zone, caller, { ceremonyHash: ceremonyHash(event.cookies) }),
		client: clientOf(event)
	});
	if (standing.step === 'none') redirect(303, '/enrol');
	if (standing.step === 'registered') redirect(303, await signedIn(event, standing));
	return standing;
}

/**
 * The session a confirmed enrolment ends in, started once (its cookie set), and where to go: home,
 * or — when another request of this browser started it — home as it is, or the sign-in page.
 */
async function signedIn(
	event: RequestEvent,
	standing: Extract<EnrolmentStanding, { step: 'registered' }>
): Promise<string> {
	const cookie = await signInEnrolled(portalZoneDb(), await publicCaller(event.locals), {
		standing,
		previousSession: sessionCookieOf(event, 'resident'),
		client: clientOf(event)
	});
	if (cookie) setSessionCookie(event.cookies, cookie);
	return cookie ? '/home?welcome=1' : event.locals.resident ? '/home' : '/sign-in';
}

/** The options of the passkey to make, as the back office gave them for this browser's claim. */
export function enrolmentOptions(event: RequestEvent): Promise<Response> {
	return ceremony(event, { realm: 'resident', action: 'auth.register' }, async (_db, caller) => {
		const standing = await enrolmentStanding(portalZoneDb(), caller, {
			ceremonyHash: ceremonyHash(event.cookies)
		});
		if (standing.step !== 'accepted' || standing.registration === 'sending')
			throw new AuthFailure('enrolment_missing');
		return standing.options;
	});
}

/**
 * The passkey made, checked and forwarded; within a few seconds the back office's answer: signed
 * in and home, or refused (the generic failure, the options still usable), or the passkey page to
 * follow a slow answer.
 */
export function enrolmentVerify(event: RequestEvent): Promise<Response> {
	return ceremony(event, { realm: 'resident', action: 'auth.register' }, async (_db, caller) => {
		const zone = portalZoneDb();
		const hash = ceremonyHash(event.cookies);
		await sendEnrolmentRegistration(zone, caller, {
			ceremonyHash: hash,
			response: await readJson(event.request),
			locale: getLocale() === 'en' ? 'en' : 'ja',
			...(await portalCity())
		});
		const standing = await awaitEnrolment(zone, caller, {
			ceremonyHash: hash,
			waitMs: answerWaitMs
		});
		if (standing.step === 'registered') return { redirect: await signedIn(event, standing) };
		if (standing.step === 'accepted' && standing.registration === 'refused')
			throw new AuthFailure('verification_failed', 'not confirmed by the back office');
		return { redirect: '/enrol/passkey' };
	});
}
