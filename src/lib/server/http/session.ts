// Which routes need a signed-in person, the session cookie read into locals on every request
// (hooks.server.ts), and signing out. What a session is and who holds it is the auth domain's
// (auth/sign-in.ts); here are only the cookies.
import type { RequestEvent } from '@sveltejs/kit';
import type { SystemCaller } from '../audit/caller';
import { sessionManagers } from '../auth/relying-party';
import { accountAtenaNumber } from '../auth/credentials';
import { residentSession, signOut, staffSession } from '../auth/sign-in';
import type { AuthRealm } from '../auth/webauthn';
import { db, portalZoneDb } from '../db';
import { servedMunicipality } from '../municipality/served';
import { residentCaller, staffCaller } from './caller';

/** Resident pages under (portal)/(signed-in) and every staff page but the sign-in ones. */
export function requiredRealm(
	routeId: string | null,
	pathname: string
): 'resident' | 'staff' | null {
	const id = routeId ?? pathname;
	if (id.startsWith('/(portal)/(signed-in)')) return 'resident';
	if (id === '/staff' || id.startsWith('/staff/')) {
		if (/^\/staff\/(sign-in|sign-out|register|auth)(\/|$)/.test(id)) return null;
		return 'staff';
	}
	return null;
}

export type SessionOutcome = 'valid' | 'none' | 'idle' | 'absolute' | 'revoked';

/** Reads the realm's session cookie into locals; a session that ended loses its cookie. */
export async function loadSession(
	event: RequestEvent,
	realm: AuthRealm,
	now: Date
): Promise<SessionOutcome> {
	const cookieName = sessionManagers()[realm].cookieName;
	const token = event.cookies.get(cookieName);
	if (!token) return 'none';
	const city = await servedMunicipality();
	const session: SystemCaller = {
		type: 'system',
		id: 'session',
		municipalityCode: city.municipality_code,
		context: event.locals.audit
	};
	if (realm === 'resident') {
		// The session is the portal zone's own (issue 27).
		const holder = await residentSession(portalZoneDb(), session, { token, now });
		if (holder.status !== 'valid') {
			event.cookies.delete(cookieName, { path: '/' });
			return holder.status;
		}
		const { session: valid } = holder;
		// The doors that still read the back office's tables need the person's 宛名番号 (credentials.ts).
		const atenaNumber = await accountAtenaNumber(db(), valid.ownerId);
		if (!atenaNumber) {
			event.cookies.delete(cookieName, { path: '/' });
			return 'revoked';
		}
		event.locals.resident = {
			accountId: valid.ownerId,
			atenaNumber,
			municipalityCode: valid.municipalityCode,
			sessionToken: token,
			credentialId: valid.credentialId,
			authenticatedAt: valid.authenticatedAt
		};
		return 'valid';
	}
	const holder = await staffSession(db(), session, { token, now });
	if (holder.status !== 'valid') {
		event.cookies.delete(cookieName, { path: '/' });
		return holder.status;
	}
	const { access } = holder;
	event.locals.staff = {
		id: access.user.id,
		loginId: access.user.login_id,
		displayName: access.user.display_name,
		department: access.user.department_ja,
		municipalityCode: access.user.municipality_code,
		roles: access.roles,
		permissions: access.permissions,
		sessionToken: token
	};
	return 'valid';
}

/**
 * Signing out: the server-side session ends (the cookie alone proves nothing afterwards) and the
 * browser is told to drop what it holds for the site (ASVS 7.4.1, 14.3.1).
 */
export async function signOutResponse(
	event: RequestEvent,
	realm: AuthRealm,
	options: { everywhere: boolean }
): Promise<Response> {
	const signedIn = realm === 'resident' ? event.locals.resident : event.locals.staff;
	const caller = signedIn
		? realm === 'resident'
			? residentCaller(event.locals)
			: staffCaller(event.locals)
		: {
				type: 'anonymous' as const,
				id: 'anonymous',
				municipalityCode: (await servedMunicipality()).municipality_code,
				context: event.locals.audit
			};
	// A resident's session is the portal zone's; a staff member's the back office's.
	const { cookieName } = await signOut(realm === 'resident' ? portalZoneDb() : db(), caller, {
		realm,
		token: event.cookies.get(sessionManagers()[realm].cookieName),
		everywhere: options.everywhere
	});
	const target = realm === 'staff' ? '/staff/sign-in?signed_out=1' : '/sign-in?signed_out=1';
	return new Response(null, {
		status: 303,
		headers: {
			Location: target,
			'Set-Cookie': `${cookieName}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${cookieName.startsWith('__Host-') ? '; Secure' : ''}`,
			'Clear-Site-Data': '"cache", "cookies", "storage"'
		}
	});
}
