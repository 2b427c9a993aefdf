// Which routes need a signed-in person, and loading that person for a request (hooks.server.ts).
import { recordAudit } from '../audit/record';
import { db } from '../db';
import { staffAccess } from './staff-access';
import { sessionManagers } from './http';
import { servedMunicipality } from '../municipality/served';
import type { RequestEvent } from '@sveltejs/kit';

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

/** Reads the realm's session cookie into locals; ends and audits a timed-out session. */
export async function loadSession(
	event: RequestEvent,
	realm: 'resident' | 'staff',
	now: Date
): Promise<SessionOutcome> {
	const manager = sessionManagers()[realm];
	const token = event.cookies.get(manager.cookieName);
	if (!token) return 'none';
	const city = await servedMunicipality();
	const check = await manager.check(token, now);
	if (check.status !== 'valid') {
		event.cookies.delete(manager.cookieName, { path: '/' });
		if (check.status !== 'none') {
			await recordAudit(db(), {
				municipalityCode: city.municipality_code,
				actor: { type: 'system', id: 'session', role: 'system' },
				context: event.locals.audit,
				action: 'auth.session_timeout',
				result: 'ok',
				payload: { realm, kind: check.status }
			});
		}
		return check.status;
	}
	if (realm === 'resident') {
		event.locals.resident = {
			accountId: check.ownerId,
			atenaNumber: check.atenaNumber!,
			municipalityCode: check.municipalityCode,
			sessionToken: token,
			credentialId: check.credentialId,
			authenticatedAt: check.authenticatedAt
		};
		return 'valid';
	}
	// Rights are read on every request: a revoked role stops working at the next one.
	const access = await staffAccess(db(), check.ownerId, now);
	if (!access) {
		await manager.end(token);
		event.cookies.delete(manager.cookieName, { path: '/' });
		return 'revoked';
	}
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
