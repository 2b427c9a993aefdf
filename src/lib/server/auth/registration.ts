// Registering a passkey: by a browser that claimed an enrolment (a letter code with the birth
// date, a desk link, a staff link), or by a resident who signed in minutes ago. The claim is
// throttled per address and audited either way; the registration ends in a signed-in session.
import { recordAudit, type Actor } from '../audit/record';
import type { Caller } from '../audit/caller';
import { config } from '../config';
import type { Executor } from '../db';
import { servedMunicipality } from '../municipality/served';
import { notify } from '../notifications/notices';
import { auditCeremonyFailure } from './ceremony-failure';
import {
	activeCredentials,
	addCredential,
	defaultNickname,
	ensureResidentAccount
} from './credentials';
import {
	claimedEnrolment,
	claimLetterCode,
	claimLink,
	markUsed,
	type Enrolment
} from './enrolment';
import { AuthFailure } from './failures';
import { count, isLimited, limits } from './rate-limit';
import { relyingParty, sessionManagers } from './relying-party';
import type { Client, SessionCookie } from './sign-in';
import {
	registrationOptions,
	verifyRegistration,
	type AuthRealm,
	type RegistrationPolicy
} from './webauthn';

/** How recent a sign-in must be to add a passkey while signed in (no silent persistence). */
export const addPasskeyWithinMinutes = 10;

/** Who may register: a browser holding a claimed enrolment, or a resident signed in recently. */
type Registrant = {
	/** The ceremony cookie's hash. */
	ceremonyHash: Buffer;
	/** When the signed-in resident (the caller) last proved who they are. */
	signedInAt?: Date;
};

type RegistrationSubject = {
	municipalityCode: string;
	owner: { realm: AuthRealm; id: string };
	enrolmentId: string | null;
	atenaNumber: string | null;
	userName: string;
	displayName: string;
	userHandle: Buffer;
	exclude: { credential_id: string; transports: string[] }[];
};

async function registrationSubject(
	db: Executor,
	caller: Caller,
	realm: AuthRealm,
	registrant: Registrant,
	at: Date
): Promise<RegistrationSubject> {
	if (realm === 'resident' && caller.type === 'resident') {
		const signedInAt = registrant.signedInAt?.getTime() ?? 0;
		if (at.getTime() - signedInAt > addPasskeyWithinMinutes * 60_000) {
			throw new AuthFailure('enrolment_missing', 'sign-in too old to add a passkey');
		}
		return residentSubject(db, caller.municipalityCode, caller.atenaNumber, null, at);
	}
	const enrolment = await claimedEnrolment(db, {
		ceremonyHash: registrant.ceremonyHash,
		route: realm,
		now: at
	});
	if (!enrolment) throw new AuthFailure('enrolment_missing');
	if (realm === 'resident') {
		return residentSubject(
			db,
			enrolment.municipality_code,
			enrolment.atena_number!,
			enrolment.id,
			at
		);
	}
	const user = await db
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
		exclude: await activeCredentials(db, { realm, id: user.id })
	};
}

async function residentSubject(
	db: Executor,
	municipalityCode: string,
	atenaNumber: string,
	enrolmentId: string | null,
	at: Date
): Promise<RegistrationSubject> {
	const account = await ensureResidentAccount(db, { municipalityCode, atenaNumber, now: at });
	const person = await db
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
		exclude: await activeCredentials(db, { realm: 'resident', id: account.id })
	};
}

/** The city's passkey policy, read fresh: a change applies to the very next registration. */
async function policyFor(
	db: Executor,
	realm: AuthRealm,
	municipalityCode: string
): Promise<RegistrationPolicy> {
	const city = await db
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

/**
 * Options to create a passkey for whoever may register now.
 * @audit none — the registrant's own name for their authenticator; failures are audited by the ceremony.
 */
export async function registrationChallenge(
	db: Executor,
	caller: Caller,
	input: Registrant & { realm: AuthRealm; now?: Date }
) {
	const at = input.now ?? new Date();
	const city = await servedMunicipality();
	const subject = await registrationSubject(db, caller, input.realm, input, at);
	return registrationOptions(db, relyingParty(city, input.realm), {
		realm: input.realm,
		ceremonyHash: input.ceremonyHash,
		subjectId: subject.enrolmentId ?? subject.owner.id,
		userHandle: subject.userHandle,
		userName: subject.userName,
		displayName: subject.displayName,
		exclude: subject.exclude,
		policy: await policyFor(db, input.realm, city.municipality_code),
		now: at
	});
}

/**
 * The new passkey verified and stored (the enrolment used, the resident told); an enrolment ends
 * in a signed-in session (the cookie to set), adding a key while signed in keeps the current one.
 */
export async function registerPasskey(
	db: Executor,
	caller: Caller,
	input: Registrant & {
		realm: AuthRealm;
		response: unknown;
		locale: 'ja' | 'en';
		previousSession: string | undefined;
		client: Client;
		now?: Date;
	}
): Promise<{ cookie: SessionCookie | null; redirect: string }> {
	const { realm } = input;
	const at = input.now ?? new Date();
	const city = await servedMunicipality();
	const subject = await registrationSubject(db, caller, realm, input, at);
	const verified = await verifyRegistration(db, relyingParty(city, realm), {
		realm,
		ceremonyHash: input.ceremonyHash,
		response: input.response,
		policy: await policyFor(db, realm, city.municipality_code),
		now: at
	});
	if (verified.subjectId !== (subject.enrolmentId ?? subject.owner.id)) {
		throw new AuthFailure('challenge_mismatch', 'registration challenge of another subject');
	}
	const credential = await db.transaction().execute(async (trx) => {
		if (subject.enrolmentId && !(await markUsed(trx, subject.enrolmentId, at))) {
			throw new AuthFailure('code_used');
		}
		const credential = await addCredential(trx, {
			owner: subject.owner,
			municipalityCode: subject.municipalityCode,
			credential: verified.credential,
			nickname: defaultNickname(verified.credential.transports, input.locale, at),
			enrolmentId: subject.enrolmentId,
			now: at
		});
		if (realm === 'resident') {
			await notify(trx, {
				municipalityCode: subject.municipalityCode,
				accountId: subject.owner.id,
				kind: 'passkey_added',
				portalUrl: `${config().origin}/sign-in`,
				now: at
			});
		}
		const actor: Actor =
			realm === 'resident'
				? { type: 'resident', id: subject.owner.id, role: 'resident' }
				: { type: 'staff', id: subject.owner.id, role: 'staff', department: null };
		await recordAudit(trx, {
			municipalityCode: subject.municipalityCode,
			actor,
			context: caller.context,
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
	const addedWhileSignedIn = realm === 'resident' && caller.type === 'resident';
	let cookie: SessionCookie | null = null;
	if (!addedWhileSignedIn) {
		const manager = sessionManagers()[realm];
		if (input.previousSession) await manager.end(input.previousSession);
		({ cookie } = await manager.start({
			ownerId: subject.owner.id,
			credentialId: credential.id,
			ip: input.client.ip,
			userAgent: input.client.userAgent,
			now: at
		}));
	}
	return {
		cookie,
		redirect:
			realm === 'staff'
				? '/staff'
				: addedWhileSignedIn
					? '/account/passkeys?added=1'
					: '/home?welcome=1'
	};
}

/**
 * The enrolment this browser claimed and may still register a passkey for; for a staff link,
 * whose account it is (the page names it before the passkey is made).
 * @audit none — the claimant's own enrolment, whose claim was audited.
 */
export async function claimedRegistration(
	db: Executor,
	_caller: Caller,
	input: { realm: AuthRealm; ceremonyHash: Buffer; now?: Date }
): Promise<{ loginId: string; displayName: string } | { resident: true } | null> {
	const enrolment = await claimedEnrolment(db, {
		ceremonyHash: input.ceremonyHash,
		route: input.realm,
		now: input.now ?? new Date()
	});
	if (!enrolment) return null;
	if (input.realm === 'resident') return { resident: true };
	const user = await db
		.selectFrom('staff_user')
		.select(['login_id', 'display_name'])
		.where('id', '=', enrolment.staff_user_id!)
		.executeTakeFirstOrThrow();
	return { loginId: user.login_id, displayName: user.display_name };
}

export type EnrolmentClaim =
	| { by: 'letter'; code: string; birthDate: string }
	| { by: 'link'; route: 'desk' | 'staff'; token: string };

/**
 * A letter code with the birth date, or a desk or staff link, claimed for this browser: behind
 * the per-address throttle, audited either way. Returns the failure (counted against the
 * address, one message for every reason) or null.
 */
export async function claimEnrolment(
	db: Executor,
	caller: Caller,
	input: { claim: EnrolmentClaim; ceremonyHash: Buffer; client: Client; now?: Date }
): Promise<AuthFailure | null> {
	const { claim } = input;
	const now = input.now ?? new Date();
	const realm = claim.by === 'link' && claim.route === 'staff' ? 'staff' : 'resident';
	try {
		if (await isLimited(db, limits.codeFailuresPerIp(input.client.ip))) {
			throw new AuthFailure('rate_limited', 'code failures from this address');
		}
		const enrolment: Enrolment =
			claim.by === 'letter'
				? await claimLetterCode(db, {
						code: claim.code,
						birthDate: claim.birthDate,
						ceremonyHash: input.ceremonyHash,
						now
					})
				: await claimLink(db, {
						route: claim.route,
						token: claim.token,
						ceremonyHash: input.ceremonyHash,
						now
					});
		await recordAudit(db, {
			municipalityCode: caller.municipalityCode,
			actor: { type: 'anonymous', id: 'anonymous', role: 'anonymous' },
			context: caller.context,
			action: 'auth.enrolment_claim',
			subjectAtenaNumber: enrolment.atena_number ?? undefined,
			objectType: 'enrolment',
			objectId: enrolment.id,
			result: 'ok',
			payload: { route: enrolment.route }
		});
		return null;
	} catch (failure) {
		if (!(failure instanceof AuthFailure)) throw failure;
		if (failure.reason !== 'rate_limited') {
			await count(db, limits.codeFailuresPerIp(input.client.ip));
		}
		await auditCeremonyFailure(db, caller, { action: 'auth.enrolment_claim', failure, realm });
		return failure;
	}
}
