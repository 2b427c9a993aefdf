// The request side of sign-in: the relying party from configuration, the session managers, the
// ceremony cookie that binds challenges and enrolment claims to one browser, and audit helpers.
import { json, type Cookies, type RequestEvent } from '@sveltejs/kit';
import { randomBytes } from 'node:crypto';
import { m } from '$lib/paraglide/messages';
import { recordAudit, type Actor } from '../audit/record';
import type { AuditAction } from '../audit/actions';
import { config } from '../config';
import { db, portalDb, processDb } from '../db';
import type { Municipality } from '../municipality';
import { lastServedMunicipality } from '../municipality/served';
import { AuthFailure } from './failures';
import { createSessionManager, type SessionManager } from './sessions';
import { sha256 } from './tokens';
import { CredentialFailure, ownerOf, type AuthRealm, type RelyingParty } from './webauthn';
import { EnrolmentFailure } from './enrolment';

export function relyingParty(municipality: Municipality, realm: AuthRealm): RelyingParty {
	const { origin, rpId } = config();
	const name =
		realm === 'staff'
			? `${municipality.name_ja} ${municipality.division_ja}`
			: `${municipality.name_ja} 予防接種ポータル`;
	return { origin, rpId, name };
}

let managers: Record<AuthRealm, SessionManager> | undefined;

export function sessionManagers(): Record<AuthRealm, SessionManager> {
	const settings = (realm: AuthRealm) => () => {
		const city = lastServedMunicipality();
		return realm === 'resident'
			? {
					idleMinutes: city?.resident_idle_minutes ?? 30,
					absoluteHours: city?.resident_absolute_hours ?? 12
				}
			: {
					idleMinutes: city?.staff_idle_minutes ?? 15,
					absoluteHours: city?.staff_absolute_hours ?? 9
				};
	};
	managers ??= {
		resident: createSessionManager(portalDb(), 'resident', {
			secureCookies: config().secureCookies,
			settings: settings('resident')
		}),
		staff: createSessionManager(processDb(), 'staff', {
			secureCookies: config().secureCookies,
			settings: settings('staff')
		})
	};
	return managers;
}

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

export const anonymous: Actor = { type: 'anonymous', id: 'anonymous', role: 'anonymous' };

export function residentActor(locals: App.Locals): Actor {
	return { type: 'resident', id: locals.resident!.accountId, role: 'resident' };
}

export function staffActor(locals: App.Locals): Actor {
	const staff = locals.staff!;
	return {
		type: 'staff',
		id: staff.id,
		role: staff.roles.join(',') || 'none',
		department: staff.department
	};
}

/** One audit entry for a failed step, with the reason code and, when known, whose it was. */
export async function auditFailure(
	event: RequestEvent,
	input: {
		action: AuditAction;
		failure: AuthFailure;
		municipalityCode: string;
		actor?: Actor;
		realm: AuthRealm;
	}
): Promise<void> {
	const { failure } = input;
	let actor = input.actor ?? anonymous;
	let objectType: string | undefined;
	let objectId: string | undefined;
	if (failure instanceof CredentialFailure) {
		const ownerId = ownerOf(failure.credential);
		actor ??= anonymous;
		if (actor.type === 'anonymous') {
			actor =
				input.realm === 'resident'
					? { type: 'resident', id: ownerId, role: 'resident' }
					: { type: 'staff', id: ownerId, role: 'unknown', department: null };
		}
		objectType = 'webauthn_credential';
		objectId = failure.credential.id;
	}
	if (failure instanceof EnrolmentFailure && failure.enrolment) {
		objectType = 'enrolment';
		objectId = failure.enrolment.id;
	}
	await recordAudit(db(), {
		municipalityCode: input.municipalityCode,
		actor,
		context: event.locals.audit,
		action: input.action,
		subjectAtenaNumber:
			failure instanceof EnrolmentFailure
				? (failure.enrolment?.atena_number ?? undefined)
				: undefined,
		objectType,
		objectId,
		result: 'denied',
		payload: { reason: failure.reason, realm: input.realm }
	});
	if (failure.reason === 'counter_regression' && failure instanceof CredentialFailure) {
		await recordAudit(db(), {
			municipalityCode: input.municipalityCode,
			actor: { type: 'system', id: 'webauthn', role: 'system' },
			context: event.locals.audit,
			action: 'auth.credential_flag',
			objectType: 'webauthn_credential',
			objectId: failure.credential.id,
			result: 'ok',
			payload: { reason: 'counter_regression' }
		});
	}
	// Detail (never the user's input) for operators, tied to the request id.
	console.warn(
		JSON.stringify({
			level: 'warn',
			requestId: event.locals.audit.requestId,
			event: input.action,
			reason: failure.reason
		})
	);
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
