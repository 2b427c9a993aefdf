// Signing in and out with a passkey, for both realms: the options (a challenge bound to this
// browser's ceremony cookie), the verified assertion that opens a new session, the session read
// on every request, and its end. Every step is audited (LOG-2); a failed step is audited by the
// ceremony's caller (ceremony-failure.ts), which also answers it.
import { recordAudit, type Actor } from '../audit/record';
import { actorOf, type Caller } from '../audit/caller';
import type { Executor } from '../db';
import { servedMunicipality } from '../municipality/served';
import { userHandleOf } from './credentials';
import { safeNext } from './next';
import { hit, limits } from './rate-limit';
import { relyingParty, sessionManagers } from './relying-party';
import { sessionIdHash, type SessionCheck } from './sessions';
import { staffAccess } from './staff-access';
import { authenticationOptions, verifyAssertion, type AuthRealm } from './webauthn';

/** Where the ceremony comes from: the address throttles it, both are kept with the session. */
export type Client = { ip: string; userAgent: string | null };

/** The session cookie to set, as the session manager makes it (a value, not a kit call). */
export type SessionCookie = {
	name: string;
	value: string;
	attributes: Record<string, unknown>;
};

/**
 * Options for a sign-in: a challenge bound to this browser.
 * @audit none — a challenge, before anyone is known; failures are audited by the ceremony.
 */
export async function signInChallenge(
	db: Executor,
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

/** The assertion verified: a new session (a new id on every sign-in; the previous one ends). */
export async function signIn(
	db: Executor,
	caller: Caller,
	input: {
		realm: AuthRealm;
		response: unknown;
		ceremonyHash: Buffer;
		/** The session cookie this browser still holds, if any. */
		previousSession: string | undefined;
		client: Client;
		/** Where the person was going (checked: only a page of this realm). */
		next: string | null;
		now?: Date;
	}
): Promise<{ cookie: SessionCookie; redirect: string }> {
	const { realm } = input;
	const at = input.now ?? new Date();
	const city = await servedMunicipality();
	const assertion = await verifyAssertion(db, relyingParty(city, realm), {
		realm,
		purpose: 'authenticate',
		ceremonyHash: input.ceremonyHash,
		response: input.response,
		userHandleOf: (ownerId) => userHandleOf(db, realm, ownerId),
		now: at
	});
	const manager = sessionManagers()[realm];
	if (input.previousSession) await manager.end(input.previousSession);
	const { token, cookie } = await manager.start({
		ownerId: assertion.ownerId,
		credentialId: assertion.credential.id,
		ip: input.client.ip,
		userAgent: input.client.userAgent,
		now: at
	});
	const actor: Actor =
		realm === 'resident'
			? { type: 'resident', id: assertion.ownerId, role: 'resident' }
			: { type: 'staff', id: assertion.ownerId, role: 'staff', department: null };
	await recordAudit(db, {
		municipalityCode: city.municipality_code,
		actor,
		context: caller.context && { ...caller.context, sessionHash: sessionIdHash(token) },
		action: 'auth.sign_in',
		objectType: 'webauthn_credential',
		objectId: assertion.credential.id,
		result: 'ok',
		payload: { realm, counter: assertion.newSignCount }
	});
	return { cookie, redirect: safeNext(input.next, realm) };
}

/** Who a session cookie belongs to now: the resident, the staff member with today's rights, or why not. */
export type SessionHolder =
	| {
			status: 'valid';
			realm: 'resident';
			session: Extract<SessionCheck, { status: 'valid' }>;
	  }
	| {
			status: 'valid';
			realm: 'staff';
			session: Extract<SessionCheck, { status: 'valid' }>;
			access: NonNullable<Awaited<ReturnType<typeof staffAccess>>>;
	  }
	| { status: 'none' | 'idle' | 'absolute' | 'revoked' };

/**
 * The session behind a cookie at `now`. A timed-out session ends and is audited; a staff
 * member's rights are read on every request, so a revoked role stops working at the next one.
 */
export async function sessionHolder(
	db: Executor,
	caller: Caller,
	input: { realm: AuthRealm; token: string; now: Date }
): Promise<SessionHolder> {
	const manager = sessionManagers()[input.realm];
	const session = await manager.check(input.token, input.now);
	if (session.status !== 'valid') {
		if (session.status !== 'none') {
			await recordAudit(db, {
				municipalityCode: caller.municipalityCode,
				actor: { type: 'system', id: 'session', role: 'system' },
				context: caller.context,
				action: 'auth.session_timeout',
				result: 'ok',
				payload: { realm: input.realm, kind: session.status }
			});
		}
		return { status: session.status };
	}
	if (input.realm === 'resident') return { status: 'valid', realm: 'resident', session };
	const access = await staffAccess(db, session.ownerId, input.now);
	if (!access) {
		await manager.end(input.token);
		return { status: 'revoked' };
	}
	return { status: 'valid', realm: 'staff', session, access };
}

/** Signing out: the server-side session ends, or every session of the person. */
export async function signOut(
	db: Executor,
	caller: Caller,
	input: { realm: AuthRealm; token: string | undefined; everywhere: boolean }
): Promise<{ cookieName: string }> {
	const manager = sessionManagers()[input.realm];
	if (input.token) await manager.end(input.token);
	if (caller.type === 'resident' || caller.type === 'staff') {
		if (input.everywhere) await manager.endAll(caller.id);
		await recordAudit(db, {
			municipalityCode: caller.municipalityCode,
			actor: actorOf(caller),
			context: caller.context,
			action: input.everywhere ? 'auth.sign_out_all' : 'auth.sign_out',
			result: 'ok',
			payload: { realm: input.realm }
		});
	}
	return { cookieName: manager.cookieName };
}
