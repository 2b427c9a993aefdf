// The sign-in flows as request handlers, shared by the resident and staff routes (which stay thin).
// Every step is audited (LOG-2); every failure gets one generic message and a reason code in the log.
import { json, type RequestEvent } from '@sveltejs/kit';
import { getLocale } from '$lib/paraglide/runtime';
import { recordAudit, type Actor } from '../audit/record';
import type { AuditAction } from '../audit/actions';
import { config } from '../config';
import { db, type Executor } from '../db';
import {
	activeCredentials,
	addCredential,
	defaultNickname,
	ensureResidentAccount,
	userHandleOf
} from './credentials';
import { claimedEnrolment, markUsed } from './enrolment';
import { AuthFailure } from './failures';
import {
	auditFailure,
	ceremonyHash,
	failureResponse,
	readJson,
	relyingParty,
	residentActor,
	sessionManagers
} from './http';
import { servedMunicipality } from '../municipality/served';
import { notify } from '../notifications/notices';
import { hit, limits } from './rate-limit';
import { sessionIdHash } from './sessions';
import { safeNext } from './next';
import { completeSigning, signingOptions, type SignedActKind } from './signing';
import {
	authenticationOptions,
	registrationOptions,
	verifyAssertion,
	verifyRegistration,
	type AuthRealm,
	type RegistrationPolicy
} from './webauthn';

const now = () => new Date();

/** How recent a sign-in must be to add a passkey while signed in (no silent persistence). */
export const addPasskeyWithinMinutes = 10;

export async function guarded(
	event: RequestEvent,
	realm: AuthRealm,
	action: AuditAction,
	run: (city: Awaited<ReturnType<typeof servedMunicipality>>) => Promise<Response>,
	actor?: Actor
): Promise<Response> {
	const city = await servedMunicipality();
	try {
		await hit(db(), limits.ceremonyPerIp(event.getClientAddress()));
		return await run(city);
	} catch (error) {
		if (!(error instanceof AuthFailure)) throw error;
		await auditFailure(event, {
			action,
			failure: error,
			municipalityCode: city.municipality_code,
			actor,
			realm
		});
		return failureResponse(error);
	}
}

/** The city's passkey policy, read fresh: a change applies to the very next registration. */
async function policyFor(realm: AuthRealm, municipalityCode: string): Promise<RegistrationPolicy> {
	const city = await db()
		.selectFrom('municipality')
		.select(['passkey_attestation', 'passkey_aaguid_allowlist'])
		.where('municipality_code', '=', municipalityCode)
		.executeTakeFirstOrThrow();
	return {
		attestation: city.passkey_attestation as 'none' | 'direct',
		aaguidAllowlist: city.passkey_aaguid_allowlist,
		requireDeviceBound: realm === 'staff'
	};
}

// --- sign-in ---------------------------------------------------------------------------------

export async function signInOptions(event: RequestEvent, realm: AuthRealm): Promise<Response> {
	const city = await servedMunicipality();
	try {
		await hit(db(), limits.optionsPerIp(event.getClientAddress()));
	} catch (error) {
		if (error instanceof AuthFailure) return failureResponse(error);
		throw error;
	}
	const options = await authenticationOptions(db(), relyingParty(city, realm), {
		realm,
		purpose: 'authenticate',
		ceremonyHash: ceremonyHash(event.cookies),
		now: now()
	});
	return json(options);
}

export async function signInVerify(event: RequestEvent, realm: AuthRealm): Promise<Response> {
	return guarded(event, realm, 'auth.sign_in', async (city) => {
		const body = await readJson(event.request);
		const at = now();
		const assertion = await verifyAssertion(db(), relyingParty(city, realm), {
			realm,
			purpose: 'authenticate',
			ceremonyHash: ceremonyHash(event.cookies),
			response: body,
			userHandleOf: (ownerId) => userHandleOf(db(), realm, ownerId),
			now: at
		});
		const manager = sessionManagers()[realm];
		// A new session id on every sign-in; the previous one (if any) ends.
		const previous = event.cookies.get(manager.cookieName);
		if (previous) await manager.end(previous);
		const { token, cookie } = await manager.start({
			ownerId: assertion.ownerId,
			credentialId: assertion.credential.id,
			ip: event.getClientAddress(),
			userAgent: event.request.headers.get('user-agent'),
			now: at
		});
		event.cookies.set(cookie.name, cookie.value, { ...cookie.attributes, path: '/' });
		const actor: Actor =
			realm === 'resident'
				? { type: 'resident', id: assertion.ownerId, role: 'resident' }
				: { type: 'staff', id: assertion.ownerId, role: 'staff', department: null };
		await recordAudit(db(), {
			municipalityCode: city.municipality_code,
			actor,
			context: { ...event.locals.audit, sessionHash: sessionIdHash(token) },
			action: 'auth.sign_in',
			objectType: 'webauthn_credential',
			objectId: assertion.credential.id,
			result: 'ok',
			payload: { realm, counter: assertion.newSignCount }
		});
		return json({ redirect: safeNext(event.url.searchParams.get('next'), realm) });
	});
}

// --- registration ----------------------------------------------------------------------------

type RegistrationSubject = {
	municipalityCode: string;
	owner: { realm: AuthRealm; id: string | null };
	enrolmentId: string | null;
	atenaNumber: string | null;
	userName: string;
	displayName: string;
	userHandle: Buffer;
	exclude: { credential_id: string; transports: string[] }[];
};

/** Who is registering: a browser holding an enrolment, or a resident signed in recently. */
async function registrationSubject(
	event: RequestEvent,
	realm: AuthRealm
): Promise<RegistrationSubject> {
	const at = now();
	if (realm === 'resident' && event.locals.resident) {
		const resident = event.locals.resident;
		if (at.getTime() - resident.authenticatedAt.getTime() > addPasskeyWithinMinutes * 60_000) {
			throw new AuthFailure('enrolment_missing', 'sign-in too old to add a passkey');
		}
		return residentSubject(resident.municipalityCode, resident.atenaNumber, null, at);
	}
	const enrolment = await claimedEnrolment(db(), {
		ceremonyHash: ceremonyHash(event.cookies),
		route: realm,
		now: at
	});
	if (!enrolment) throw new AuthFailure('enrolment_missing');
	if (realm === 'resident') {
		return residentSubject(enrolment.municipality_code, enrolment.atena_number!, enrolment.id, at);
	}
	const user = await db()
		.selectFrom('staff_user')
		.selectAll()
		.where('id', '=', enrolment.staff_user_id!)
		.where('active', '=', true)
		.executeTakeFirst();
	if (!user) throw new AuthFailure('account_inactive');
	return {
		municipalityCode: user.municipality_code,
		owner: { realm, id: user.id },
		enrolmentId: enrolment.id,
		atenaNumber: null,
		userName: user.login_id,
		displayName: user.display_name,
		userHandle: user.user_handle,
		exclude: await activeCredentials(db(), { realm, id: user.id })
	};
}

async function residentSubject(
	municipalityCode: string,
	atenaNumber: string,
	enrolmentId: string | null,
	at: Date
): Promise<RegistrationSubject> {
	const account = await ensureResidentAccount(db(), { municipalityCode, atenaNumber, now: at });
	const person = await db()
		.selectFrom('resident')
		.select(['name_kanji'])
		.where('municipality_code', '=', municipalityCode)
		.where('atena_number', '=', atenaNumber)
		.executeTakeFirstOrThrow();
	return {
		municipalityCode,
		owner: { realm: 'resident', id: account.id },
		enrolmentId,
		atenaNumber,
		// Shown by the authenticator's account picker on this person's own device only.
		userName: person.name_kanji,
		displayName: person.name_kanji,
		userHandle: account.user_handle,
		exclude: await activeCredentials(db(), { realm: 'resident', id: account.id })
	};
}

export async function registerOptions(event: RequestEvent, realm: AuthRealm): Promise<Response> {
	return guarded(event, realm, 'auth.register', async (city) => {
		const subject = await registrationSubject(event, realm);
		const options = await registrationOptions(db(), relyingParty(city, realm), {
			realm,
			ceremonyHash: ceremonyHash(event.cookies),
			subjectId: subject.enrolmentId ?? subject.owner.id!,
			userHandle: subject.userHandle,
			userName: subject.userName,
			displayName: subject.displayName,
			exclude: subject.exclude,
			policy: await policyFor(realm, city.municipality_code),
			now: now()
		});
		return json(options);
	});
}

export async function registerVerify(event: RequestEvent, realm: AuthRealm): Promise<Response> {
	return guarded(event, realm, 'auth.register', async (city) => {
		const body = await readJson(event.request);
		const at = now();
		const subject = await registrationSubject(event, realm);
		const verified = await verifyRegistration(db(), relyingParty(city, realm), {
			realm,
			ceremonyHash: ceremonyHash(event.cookies),
			response: body,
			policy: await policyFor(realm, city.municipality_code),
			now: at
		});
		if (verified.subjectId !== (subject.enrolmentId ?? subject.owner.id)) {
			throw new AuthFailure('challenge_mismatch', 'registration challenge of another subject');
		}
		const transports = verified.credential.transports;
		const manager = sessionManagers()[realm];
		const credential = await db()
			.transaction()
			.execute(async (trx) => {
				if (subject.enrolmentId && !(await markUsed(trx, subject.enrolmentId, at))) {
					throw new AuthFailure('code_used');
				}
				const credential = await addCredential(trx, {
					owner: { realm, id: subject.owner.id! },
					municipalityCode: subject.municipalityCode,
					credential: verified.credential,
					nickname: defaultNickname(transports, getLocale() === 'en' ? 'en' : 'ja', at),
					enrolmentId: subject.enrolmentId,
					now: at
				});
				if (realm === 'resident') {
					await notify(trx, {
						municipalityCode: subject.municipalityCode,
						accountId: subject.owner.id!,
						kind: 'passkey_added',
						portalUrl: `${config().origin}/sign-in`,
						now: at
					});
				}
				const actor: Actor =
					realm === 'resident'
						? { type: 'resident', id: subject.owner.id!, role: 'resident' }
						: { type: 'staff', id: subject.owner.id!, role: 'staff', department: null };
				await recordAudit(trx, {
					municipalityCode: subject.municipalityCode,
					actor,
					context: event.locals.audit,
					action: 'auth.register',
					subjectAtenaNumber: subject.atenaNumber ?? undefined,
					objectType: 'webauthn_credential',
					objectId: credential.id,
					result: 'ok',
					payload: {
						realm,
						enrolment: subject.enrolmentId,
						backup_eligible: credential.backup_eligible
					}
				});
				return credential;
			});
		// Enrolment ends in a signed-in session; adding a key keeps the current one.
		if (!event.locals.resident && subject.owner.id) {
			const previous = event.cookies.get(manager.cookieName);
			if (previous) await manager.end(previous);
			const started = await manager.start({
				ownerId: subject.owner.id,
				credentialId: credential.id,
				ip: event.getClientAddress(),
				userAgent: event.request.headers.get('user-agent'),
				now: at
			});
			event.cookies.set(started.cookie.name, started.cookie.value, {
				...started.cookie.attributes,
				path: '/'
			});
		}
		return json({
			redirect:
				realm === 'staff'
					? '/staff'
					: event.locals.resident
						? '/account/passkeys?added=1'
						: '/home?welcome=1'
		});
	});
}

// --- signed acts (resident) --------------------------------------------------------------------

/**
 * Options to sign what `build` returns. Where the server knows the payload (an application) it
 * builds it itself; the browser's body is only read where the person's own words are signed.
 */
export async function signOptions(
	event: RequestEvent,
	build: (body: unknown) => Promise<{ kind: SignedActKind; payload: unknown }>
): Promise<Response> {
	const resident = event.locals.resident!;
	return guarded(
		event,
		'resident',
		'auth.sign',
		async (city) => {
			const { kind, payload } = await build(await readJson(event.request));
			const { options } = await signingOptions(db(), relyingParty(city, 'resident'), {
				accountId: resident.accountId,
				kind,
				payload,
				ceremonyHash: ceremonyHash(event.cookies),
				now: now()
			});
			return json(options);
		},
		residentActor(event.locals)
	);
}

/**
 * The acts the generic /auth/sign endpoint signs: those whose kind and payload the browser names.
 * A submission, withdrawal, answer to a 差し戻し or request to the desk has its own endpoint,
 * which builds the payload on the server and carries it out; signed here, it would be stored and
 * audited as ok while doing nothing (issue 24, low).
 */
export const browserNamedActs: readonly SignedActKind[] = ['consent'];

export async function actFromBody(
	body: unknown
): Promise<{ kind: SignedActKind; payload: unknown }> {
	const request = (body ?? {}) as { kind?: unknown; payload?: unknown };
	if (!browserNamedActs.includes(request.kind as SignedActKind) || request.payload === undefined) {
		throw new AuthFailure('malformed', 'sign request');
	}
	return { kind: request.kind as SignedActKind, payload: request.payload };
}

/**
 * Thrown by a signed act's handler to answer without keeping the act: the transaction that
 * stores it rolls back (its audit entry with it), so no signature stands that did nothing, and
 * the person gets `body`. For an act that has already happened (its answer was lost, or another
 * tab got there first).
 */
export class AnswerWithoutAct extends Error {
	constructor(
		readonly body: Record<string, unknown>,
		readonly status = 200
	) {
		super('answered without keeping the act');
	}
}

export async function signVerify<Prepared = undefined>(
	event: RequestEvent,
	onSigned: SignedActHandler<Prepared>,
	/**
	 * Reads what the act needs before its transaction opens: inside it, a second pooled
	 * connection could wait on one that waits on the audit chain's lock.
	 */
	prepare?: () => Promise<Prepared>
): Promise<Response> {
	const resident = event.locals.resident!;
	return guarded(
		event,
		'resident',
		'auth.sign',
		async (city) => {
			const body = await readJson(event.request);
			const prepared = (prepare ? await prepare() : undefined) as Prepared;
			const at = now();
			try {
				const { effect } = await completeSigning(
					db(),
					relyingParty(city, 'resident'),
					{
						accountId: resident.accountId,
						municipalityCode: resident.municipalityCode,
						ceremonyHash: ceremonyHash(event.cookies),
						response: body,
						userHandleOf: (ownerId) => userHandleOf(db(), 'resident', ownerId),
						now: at
					},
					async (act, trx) => {
						await recordAudit(trx, {
							municipalityCode: resident.municipalityCode,
							actor: residentActor(event.locals),
							context: event.locals.audit,
							action: 'auth.sign',
							subjectAtenaNumber: resident.atenaNumber,
							objectType: 'signed_act',
							objectId: act.id,
							result: 'ok',
							// base64url, not hex: 64 hex characters now and then hold a run of 12 decimal digits
							// with a valid check digit, which the audit log rightly refuses as a 個人番号.
							payload: { kind: act.kind, digest: act.digest.toString('base64url') }
						});
						return onSigned(act, trx, prepared);
					}
				);
				return json(effect);
			} catch (failure) {
				if (failure instanceof AnswerWithoutAct)
					return json(failure.body, { status: failure.status });
				throw failure;
			}
		},
		residentActor(event.locals)
	);
}

/** What a signed act does; `trx` is the transaction that stores the act (both or neither). */
export type SignedActHandler<Prepared = undefined> = (
	act: Awaited<ReturnType<typeof completeSigning>>['act'],
	trx: Executor,
	prepared: Prepared
) => Promise<Record<string, unknown>>;
