// Signing out: the server-side session ends (the cookie alone proves nothing afterwards) and the
// browser is told to drop what it holds for the site (ASVS 7.4.1, 14.3.1).
import type { RequestEvent } from '@sveltejs/kit';
import { recordAudit, type Actor } from '../audit/record';
import { db } from '../db';
import { sessionManagers } from './http';
import { servedMunicipality } from '../municipality/served';
import type { AuthRealm } from './webauthn';

export async function signOut(
	event: RequestEvent,
	realm: AuthRealm,
	options: { everywhere: boolean }
): Promise<Response> {
	const manager = sessionManagers()[realm];
	const token = event.cookies.get(manager.cookieName);
	const city = await servedMunicipality();
	const ownerId = realm === 'resident' ? event.locals.resident?.accountId : event.locals.staff?.id;
	if (token) await manager.end(token);
	if (ownerId) {
		if (options.everywhere) await manager.endAll(ownerId);
		const actor: Actor =
			realm === 'resident'
				? { type: 'resident', id: ownerId, role: 'resident' }
				: {
						type: 'staff',
						id: ownerId,
						role: event.locals.staff!.roles.join(',') || 'none',
						department: event.locals.staff!.department
					};
		await recordAudit(db(), {
			municipalityCode: city.municipality_code,
			actor,
			context: event.locals.audit,
			action: options.everywhere ? 'auth.sign_out_all' : 'auth.sign_out',
			result: 'ok',
			payload: { realm }
		});
	}
	const target = realm === 'staff' ? '/staff/sign-in?signed_out=1' : '/sign-in?signed_out=1';
	return new Response(null, {
		status: 303,
		headers: {
			Location: target,
			'Set-Cookie': `${manager.cookieName}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${manager.cookieName.startsWith('__Host-') ? '; Secure' : ''}`,
			'Clear-Site-Data': '"cache", "cookies", "storage"'
		}
	});
}
