// The HTTP side of a WebAuthn ceremony: the ceremony cookie that binds challenges and enrolment
// claims to one browser, the JSON body read within a limit, the session cookie set, and the one
// generic answer to a failed step (429 when throttled), after the step's audit entry is written
// by the auth domain. The ceremonies themselves are domain doors in auth/.
import { json, type Cookies, type RequestEvent } from '@sveltejs/kit';
import { randomBytes } from 'node:crypto';
import { m } from '$lib/paraglide/messages';
import { getLocale } from '$lib/paraglide/runtime';
import type { AuditAction } from '../audit/actions';
import type { Caller } from '../audit/caller';
import { auditCeremonyFailure, reportCeremonyFailure } from '../auth/ceremony-failure';
import { AuthFailure } from '../auth/failures';
import { hit, limits } from '../auth/rate-limit';
import { addPasskeyOptions, confirmationOptions, portalCity } from '../auth/passkeys';
import { registerPasskey } from '../auth/registration';
import { sessionManagers } from '../auth/relying-party';
import { residentSignIn, staffSignIn, type Client, type SessionCookie } from '../auth/sign-in';
import { signingChallenge } from '../auth/signed-acts';
import type { SignedActKind } from '../auth/signing';
import { sha256 } from '../auth/tokens';
import type { AuthRealm } from '../auth/webauthn';
import { config } from '../config';
import { db, portalZoneDb, type Database } from '../db';
import { awaitOwnItem, sendSignedActInside, type ExpectedAct } from '../exchange/portal';
import { DomainError } from '../errors';
import { publicCaller, residentCaller } from './caller';

/** The steps of a resident's ceremonies, each reported by name. */
type ResidentCeremony = 'auth.sign_in' | 'auth.sign' | 'auth.register';
const isResidentCeremony = (action: string): action is ResidentCeremony =>
	action === 'auth.sign_in' || action === 'auth.sign' || action === 'auth.register';

const ceremonyCookie = () => (config().secureCookies ? '__Host-ceremony' : 'ceremony');

/**
 * The hash of this browser's ceremony cookie, set on first use. Challenges and enrolment claims
 * are bound to it, so a challenge or a claimed letter code is useless in another browser.
 */
export function ceremonyHash(cookies: Cookies): Buffer {
	let value = cookies.get(ceremonyCookie());
	if (!value || !/^[A-Za-z0-9_-]{43}$/.test(value)) {
		value = randomBytes(32).toString('base64url');
		cookies.set(ceremonyCookie(), value, {
			path: '/',
			httpOnly: true,
			secure: config().secureCookies,
			sameSite: 'lax',
			maxAge: 60 * 60
		});
	}
	return sha256(value);
}

export const clientOf = (event: RequestEvent): Client => ({
	ip: event.getClientAddress(),
	userAgent: event.request.headers.get('user-agent')
});

/** The realm's session cookie this browser holds, if any. */
export const sessionCookieOf = (event: RequestEvent, realm: AuthRealm): string | undefined =>
	event.cookies.get(sessionManagers()[realm].cookieName);

export function setSessionCookie(cookies: Cookies, cookie: SessionCookie): void {
	cookies.set(cookie.name, cookie.value, { ...cookie.attributes, path: '/' });
}

/** The answer to a failed ceremony: one generic, localized message; 429 when throttled. */
export function failureResponse(failure: AuthFailure): Response {
	if (failure.reason === 'rate_limited') {
		return json(
			{ message: m.auth_rate_limited() },
			{ status: 429, headers: { 'Retry-After': '60' } }
		);
	}
	return json({ message: m.auth_failed() }, { status: 400 });
}

/**
 * One ceremony step behind the per-address throttle: `run`'s result as JSON, or, when a check
 * fails, the failure audited (with its reason) and answered with one generic message. A
 * resident's step is throttled in the portal zone and its failure reported from there (issue 27).
 */
export async function ceremony(
	event: RequestEvent,
	step: { realm: AuthRealm; action: AuditAction; caller?: Caller },
	run: (db: Database, caller: Caller) => Promise<unknown>
): Promise<Response> {
	const caller = step.caller ?? (await publicCaller(event.locals));
	const limited = step.realm === 'resident' ? portalZoneDb() : db();
	try {
		await hit(limited, limits.ceremonyPerIp(event.getClientAddress()));
		return json(await run(db(), caller));
	} catch (failure) {
		// A refusal of what is signed (not of the signature): its own words, nothing audited here.
		if (failure instanceof DomainError) {
			// 'moved': what was to be signed has moved on (sent or withdrawn already); the browser
			// then offers a link to its status instead of saying the passkey failed.
			return json(
				{
					message: failure.text,
					refusal: failure.code,
					moved: failure.code === 'moved' || undefined
				},
				{ status: failure.status }
			);
		}
		if (!(failure instanceof AuthFailure)) throw failure;
		if (step.realm === 'resident' && isResidentCeremony(step.action))
			await reportCeremonyFailure(portalZoneDb(), caller, { action: step.action, failure });
		else
			await auditCeremonyFailure(db(), caller, { action: step.action, failure, realm: step.realm });
		return failureResponse(failure);
	}
}

/** A challenge-only step (options) that is throttled on its own limit, not audited on failure. */
export async function challenge(run: () => Promise<unknown>): Promise<Response> {
	try {
		return json(await run());
	} catch (failure) {
		if (failure instanceof AuthFailure) return failureResponse(failure);
		throw failure;
	}
}

export async function readJson(request: Request): Promise<unknown> {
	const text = await readUpTo(request, 64 * 1024);
	if (text === null) throw new AuthFailure('malformed', 'body too large');
	try {
		return JSON.parse(text);
	} catch {
		throw new AuthFailure('malformed', 'not JSON');
	}
}

/**
 * The body as text, or null past `max` bytes. A body that is too large is still read to its end
 * (adapter-node's BODY_SIZE_LIMIT bounds it): answering before the upload finishes resets the
 * connection, and the browser would show a network error instead of our message.
 */
async function readUpTo(request: Request, max: number): Promise<string | null> {
	const reader = request.body?.getReader();
	if (!reader) return '';
	const chunks: Uint8Array[] = [];
	let size = 0;
	for (;;) {
		const { done, value } = await reader.read();
		if (done) break;
		size += value.length;
		if (size <= max) chunks.push(value);
	}
	return size > max ? null : Buffer.concat(chunks).toString('utf8');
}

/**
 * A resident's signed act, step one: options to sign what `build` returns. Where the server knows
 * the payload (an application) it builds it itself; the browser's body is only read where the
 * person's own words are signed.
 */
export function signOptions(
	event: RequestEvent,
	build: (body: unknown) => Promise<{ kind: SignedActKind; payload: unknown }>
): Promise<Response> {
	return ceremony(
		event,
		{ realm: 'resident', action: 'auth.sign', caller: residentCaller(event.locals) },
		async (db, caller) => {
			const { kind, payload } = await build(await readJson(event.request));
			return signingChallenge(portalZoneDb(), caller, {
				kind,
				payload,
				ceremonyHash: ceremonyHash(event.cookies)
			});
		}
	);
}

/**
 * Step two of an act the back office carries out (issue 27): verified here and sent through the
 * exchange; the back office verifies it again and applies it. `expected` says what this endpoint
 * signs (read inside the ceremony: a refusal there is answered like any ceremony's), `about` what
 * the act is about, and `answer` what the browser is told once it is sent.
 */
export function signVerifyInside(
	event: RequestEvent,
	act: {
		expected: () => Promise<ExpectedAct> | ExpectedAct;
		about?: (payload: string) => string | undefined;
		answer?: (about: string | undefined) => unknown;
	}
): Promise<Response> {
	return ceremony(
		event,
		{ realm: 'resident', action: 'auth.sign', caller: residentCaller(event.locals) },
		async (_db, caller) => {
			const sent = await sendSignedActInside(portalZoneDb(), caller, {
				expected: await act.expected(),
				response: await readJson(event.request),
				ceremonyHash: ceremonyHash(event.cookies),
				about: act.about
			});
			return act.answer ? act.answer(sent.about) : sent;
		}
	);
}

/**
 * Sign-in, step two, for either realm: the assertion verified (a resident's in the portal zone), a
 * new session cookie set.
 */
export function signInVerify(event: RequestEvent, realm: AuthRealm): Promise<Response> {
	return ceremony(event, { realm, action: 'auth.sign_in' }, async (db, caller) => {
		const signIn =
			realm === 'resident' ? residentSignIn.bind(null, portalZoneDb()) : staffSignIn.bind(null, db);
		const { cookie, redirect } = await signIn(caller, {
			response: await readJson(event.request),
			ceremonyHash: ceremonyHash(event.cookies),
			previousSession: sessionCookieOf(event, realm),
			client: clientOf(event),
			next: event.url.searchParams.get('next')
		});
		setSessionCookie(event.cookies, cookie);
		return { redirect };
	});
}

/** Registration, step two, for staff: the new passkey stored, a new session cookie set. */
export function registerVerify(event: RequestEvent): Promise<Response> {
	return ceremony(event, { realm: 'staff', action: 'auth.register' }, async (db, caller) => {
		const { cookie, redirect } = await registerPasskey(db, caller, {
			response: await readJson(event.request),
			ceremonyHash: ceremonyHash(event.cookies),
			locale: getLocale() === 'en' ? 'en' : 'ja',
			previousSession: sessionCookieOf(event, 'staff'),
			client: clientOf(event)
		});
		setSessionCookie(event.cookies, cookie);
		return { redirect };
	});
}

/**
 * A passkey added while signed in (issue 27), on the portal zone: the options to make it (step
 * one), the new passkey checked here and answered with the options to confirm it with one the
 * account already has (step two, `{ confirm }`), and that confirmation sent to the back office,
 * which verifies both again and binds the new passkey (step three; the answer waits a few seconds
 * for it, then the passkeys page says it is on its way).
 */
export function addPasskey(event: RequestEvent, step: 'options' | 'check' | 'confirm') {
	const signedInAt = event.locals.resident?.authenticatedAt ?? new Date(0);
	const caller = residentCaller(event.locals);
	const zone = portalZoneDb();
	const input = { ceremonyHash: ceremonyHash(event.cookies), signedInAt };
	if (step === 'options')
		return ceremony(event, { realm: 'resident', action: 'auth.register', caller }, async () =>
			addPasskeyOptions(zone, caller, { ...input, city: await portalCity() })
		);
	if (step === 'check')
		return ceremony(event, { realm: 'resident', action: 'auth.register', caller }, async () => ({
			confirm: await confirmationOptions(zone, caller, {
				...input,
				city: await portalCity(),
				response: await readJson(event.request),
				locale: getLocale() === 'en' ? 'en' : 'ja'
			})
		}));
	return ceremony(event, { realm: 'resident', action: 'auth.sign', caller }, async () => {
		const sent = await sendSignedActInside(zone, caller, {
			expected: { kind: 'passkey_add' },
			response: await readJson(event.request),
			ceremonyHash: input.ceremonyHash
		});
		const state = sent.seq
			? await awaitOwnItem(zone, caller, { seq: sent.seq, waitMs: 8_000 })
			: 'sent';
		return { redirect: state === 'applied' ? '/account/passkeys?added=1' : '/account/passkeys' };
	});
}
