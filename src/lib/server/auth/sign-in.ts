// Signing in and out with a passkey, for both realms: the options (a challenge bound to this
// browser's ceremony cookie), the verified assertion that opens a new session, the session read
// on every request, and its end. A resident's steps run in the portal zone (issue 27): against
// the passkeys the back office published, with the portal's own challenges, limits and sessions,
// each step reported to the back office for its audit log. A staff member's run in the back
// office and are audited there. A failed step is audited (or reported) by the ceremony's caller
// (ceremony-failure.ts), which also answers it.
import { recordAudit } from '../audit/record';
import { actorOf, type Caller } from '../audit/caller';
import type { Executor, PortalZoneExecutor } from '../db';
import type { EitherZoneExecutor } from '../db/either-zone';
import { servedMunicipality } from '../municipality/served';
import { safeNext } from './next';
import { hit, limits } from './rate-limit';
import { relyingParty, sessionManagers } from './relying-party';
import { reportAuthEvent } from './reported';
import { sessionIdHash, type SessionCheck } from './sessions';
import { staffAccess } from './staff-access';
import { backOfficeStore, portalStore } from './stores';
import {
	authenticationOptions,
	verifyAssertion,
	type AssertionStore,
	type AuthRealm
} from './webauthn';

/** Where the ceremony comes from: the address throttles it, both are kept with the session. */
export type Client = { ip: string; userAgent: string | null };

/** The session cookie to set, as the session manager makes it (a value, not a kit call). */
export type SessionCookie = {
	name: string;
	value: string;
	attributes: Record<string, unknown>;
};

/**
 * Options for a sign-in: a challenge bound to this browser, kept where the realm signs in (the
 * portal zone for residents, the back office for staff).
 * @audit none — a challenge, before anyone is known; failures are audited by the ceremony.
 */
export async function signInChallenge(
	db: EitherZoneExecutor,
	_caller: Caller,
	input: { realm: AuthRealm; ceremonyHash: Buffer; client: Client; now?: Date }
) {
	await hit(db, limits.optionsPerIp(input.client.ip));
	const city = await servedMunicipality();
	return authenticationOptions(db, relyingParty(city, input.realm), {
		realm: input.realm,
		purpose: 'authenticate',
		ceremonyHash: input.ceremonyHash,
		now: input.now ?? new Date()
	});
}

type SignInInput = {
	response: unknown;
	ceremonyHash: Buffer;
	/** The session cookie this browser still holds, if any. */
	previousSession: string | undefined;
	client: Client;
	/** Where the person was going (checked: only a page of this realm). */
	next: string | null;
	now?: Date;
};

/** The assertion verified against `store`: a new session (a new id; the previous one ends). */
async function openSession(store: AssertionStore, realm: AuthRealm, input: SignInInput) {
	const at = input.now ?? new Date();
	const city = await servedMunicipality();
	const assertion = await verifyAssertion(store, relyingParty(city, realm), {
		realm,
		purpose: 'authenticate',
		ceremonyHash: input.ceremonyHash,
		response: input.response,
		now: at
	});
	const manager = sessionManagers()[realm];
	if (input.previousSession) await manager.end(input.previousSession);
	const { token, cookie } = await manager.start({
		ownerId: assertion.ownerId,
		municipalityCode: assertion.credential.municipalityCode,
		credentialId: assertion.credential.id,
		ip: input.client.ip,
		userAgent: input.client.userAgent,
		now: at
	});
	return { assertion, token, cookie, redirect: safeNext(input.next, realm) };
}

/**
 * A resident's sign-in on the portal zone, reported to the back office's audit log.
 * @audit reported — an 'auth_event' item, appended to the audit log when the back office takes it in
 */
export async function residentSignIn(
	zone: PortalZoneExecutor,
	caller: Caller,
	input: SignInInput
): Promise<{ cookie: SessionCookie; redirect: string }> {
	const { assertion, token, cookie, redirect } = await openSession(
		portalStore(zone, caller.context),
		'resident',
		input
	);
	await reportAuthEvent(
		zone,
		caller.context && { ...caller.context, sessionHash: sessionIdHash(token) },
		{
			account: assertion.ownerId,
			action: 'auth.sign_in',
			result: 'ok',
			credential: assertion.credential.id,
			counter: assertion.newSignCount
		}
	);
	return { cookie, redirect };
}

/** A staff member's sign-in on the back office. */
export async function staffSignIn(
	db: Executor,
	caller: Caller,
	input: SignInInput
): Promise<{ cookie: SessionCookie; redirect: string }> {
	const { assertion, token, cookie, redirect } = await openSession(
		backOfficeStore(db, 'staff'),
		'staff',
		input
	);
	await recordAudit(db, {
		municipalityCode: assertion.credential.municipalityCode,
		actor: { type: 'staff', id: assertion.ownerId, role: 'staff', department: null },
		context: caller.context && { ...caller.context, sessionHash: sessionIdHash(token) },
		action: 'auth.sign_in',
		objectType: 'webauthn_credential',
		objectId: assertion.credential.id,
		result: 'ok',
		payload: { realm: 'staff', counter: assertion.newSignCount }
	});
	return { cookie, redirect };
}

type ValidSession = Extract<SessionCheck, { status: 'valid' }>;
type Ended = { status: 'none' | 'idle' | 'absolute' | 'revoked' };

/**
 * The resident behind a session cookie at `now`, in the portal zone. A timed-out session ends and
 * is reported.
 * @audit reported — a session that timed out (an 'auth_event' item)
 */
export async function residentSession(
	zone: PortalZoneExecutor,
	caller: Caller,
	input: { token: string; now: Date }
): Promise<{ status: 'valid'; session: ValidSession } | Ended> {
	const session = await sessionManagers().resident.check(input.token, input.now);
	if (session.status === 'valid') return { status: 'valid', session };
	if (session.status !== 'none') {
		await reportAuthEvent(zone, caller.context, {
			account: null,
			action: 'auth.session_timeout',
			result: 'ok',
			ended: session.status
		});
	}
	return { status: session.status };
}

/**
 * The staff member behind a session cookie at `now`, with today's rights (read on every request,
 * so a revoked role stops working at the next one). A timed-out session ends and is audited.
 */
export async function staffSession(
	db: Executor,
	caller: Caller,
	input: { token: string; now: Date }
): Promise<
	| {
			status: 'valid';
			session: ValidSession;
			access: NonNullable<Awaited<ReturnType<typeof staffAccess>>>;
	  }
	| Ended
> {
	const manager = sessionManagers().staff;
	const session = await manager.check(input.token, input.now);
	if (session.status !== 'valid') {
		if (session.status !== 'none') {
			await recordAudit(db, {
				municipalityCode: caller.municipalityCode,
				actor: { type: 'system', id: 'session', role: 'system' },
				context: caller.context,
				action: 'auth.session_timeout',
				result: 'ok',
				payload: { realm: 'staff', kind: session.status }
			});
		}
		return { status: session.status };
	}
	const access = await staffAccess(db, session.ownerId, input.now);
	if (!access) {
		await manager.end(input.token);
		return { status: 'revoked' };
	}
	return { status: 'valid', session, access };
}

/**
 * Signing out: the server-side session ends, or every session of the person; a resident's in the
 * portal zone (reported), a staff member's in the back office (audited).
 * @audit reported for residents — an 'auth_event' item
 */
export async function signOut(
	db: EitherZoneExecutor,
	caller: Caller,
	input: { realm: AuthRealm; token: string | undefined; everywhere: boolean }
): Promise<{ cookieName: string }> {
	const manager = sessionManagers()[input.realm];
	if (input.token) await manager.end(input.token);
	if (caller.type === 'resident' || caller.type === 'staff') {
		if (input.everywhere) await manager.endAll(caller.id);
		const action = input.everywhere ? 'auth.sign_out_all' : 'auth.sign_out';
		if (caller.type === 'resident')
			await reportAuthEvent(db as PortalZoneExecutor, caller.context, {
				account: caller.id,
				action,
				result: 'ok'
			});
		else
			await recordAudit(db as Executor, {
				municipalityCode: caller.municipalityCode,
				actor: actorOf(caller),
				context: caller.context,
				action,
				result: 'ok',
				payload: { realm: input.realm }
			});
	}
	return { cookieName: manager.cookieName };
}
