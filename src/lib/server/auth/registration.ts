// Registering a passkey: by a browser that claimed an enrolment (a staff link here; a resident's
// letter code or desk link through the exchange, checked and confirmed by the back office, issue
// 27), or by a resident who signed in minutes ago. The claim is audited either way; the
// registration ends in a signed-in session.
import type { PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import { recordAudit, type Actor, type AuditContext } from '../audit/record';
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
	claimLifetimeMinutes,
	claimLink,
	markUsed,
	type Enrolment
} from './enrolment';
import { sha256 } from './tokens';
import { AuthFailure } from './failures';
import { count, isLimited, limits } from './rate-limit';
import { relyingParty, relyingPartyName, sessionManagers } from './relying-party';
import type { Client, SessionCookie } from './sign-in';
import type { PasskeyAddPayload } from '../zone/shapes';
import {
	checkRegistration,
	registrationOptions,
	verifyRegistration,
	type AuthRealm,
	type CredentialRow,
	type NewCredential,
	type RegistrationPolicy,
	type RelyingParty
} from './webauthn';

/** How recent a sign-in must be to add a passkey while signed in (no silent persistence). */
export const addPasskeyWithinMinutes = 10;

/**
 * The challenge of a passkey added while signed in (issue 27): derived from the account and a
 * nonce, which the act confirming the passkey carries, so the back office, which did not give the
 * challenge, can check the passkey was made for this account.
 */
export const addPasskeyChallenge = (accountId: string, nonce: Buffer): string =>
	sha256(Buffer.concat([Buffer.from(`passkey_add:${accountId}:`, 'utf8'), nonce])).toString(
		'base64url'
	);

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

/** The staff member whose link this browser claimed, as the subject of the passkey to make. */
async function staffSubject(
	db: Executor,
	ceremonyHash: Buffer,
	at: Date
): Promise<RegistrationSubject> {
	const enrolment = await claimedEnrolment(db, { ceremonyHash, route: 'staff', now: at });
	if (!enrolment) throw new AuthFailure('enrolment_missing');
	const user = await db
		.selectFrom('staff_user')
		.selectAll()
		.where('id', '=', enrolment.staff_user_id!)
		.where('active', '=', true)
		.executeTakeFirst();
	if (!user) throw new AuthFailure('account_inactive');
	return {
		municipalityCode: user.municipality_code,
		owner: { realm: 'staff', id: user.id },
		enrolmentId: enrolment.id,
		atenaNumber: null,
		userName: user.login_id,
		displayName: user.display_name,
		userHandle: user.user_handle,
		exclude: await activeCredentials(db, { realm: 'staff', id: user.id })
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

/** The resident a claimed enrolment is for, as the subject of the passkey to make. */
const enrolledSubject = (db: Executor, enrolment: Enrolment, now: Date) =>
	residentSubject(db, enrolment.municipality_code, enrolment.atena_number!, enrolment.id, now);

/** The city's passkey policy, read fresh: a change applies to the very next registration. */
export async function policyFor(
	db: Executor,
	realm: AuthRealm,
	municipalityCode: string
): Promise<RegistrationPolicy> {
	const city = await db
		.selectFrom('municipality')
		.select(['passkey_attestation', 'passkey_aaguid_allowlist'])
		.where('municipality_code', '=', municipalityCode)
		.executeTakeFirstOrThrow();
	return policyOf(city, realm);
}

/**
 * The passkey policy of a city's settings as they stand (on the portal: as published, which the
 * portal checks first; the back office checks again against its own, read fresh).
 */
export const policyOf = (
	city: { passkey_attestation: string; passkey_aaguid_allowlist: string[] },
	realm: AuthRealm
): RegistrationPolicy => ({
	attestation: city.passkey_attestation as 'none' | 'direct',
	aaguidAllowlist: city.passkey_aaguid_allowlist,
	requireDeviceBound: realm === 'staff'
});

/**
 * Options to create a passkey for the staff member whose link this browser claimed (residents
 * register through the exchange: an enrolment, or a passkey added while signed in).
 * @audit none — the registrant's own name for their authenticator; failures are audited by the ceremony.
 */
export async function registrationChallenge(
	db: Executor,
	_caller: Caller,
	input: { ceremonyHash: Buffer; now?: Date }
) {
	const at = input.now ?? new Date();
	const city = await servedMunicipality();
	const subject = await staffSubject(db, input.ceremonyHash, at);
	return registrationOptions(db, relyingParty(city, 'staff'), {
		realm: 'staff',
		ceremonyHash: input.ceremonyHash,
		subjectId: subject.enrolmentId!,
		userHandle: subject.userHandle,
		userName: subject.userName,
		displayName: subject.displayName,
		exclude: subject.exclude,
		policy: await policyFor(db, 'staff', city.municipality_code),
		now: at
	});
}

/**
 * A staff member's new passkey verified and stored (the link used), ending in a signed-in session:
 * the cookie to set.
 */
export async function registerPasskey(
	db: Executor,
	caller: Caller,
	input: {
		ceremonyHash: Buffer;
		response: unknown;
		locale: 'ja' | 'en';
		previousSession: string | undefined;
		client: Client;
		now?: Date;
	}
): Promise<{ cookie: SessionCookie; redirect: string }> {
	const at = input.now ?? new Date();
	const city = await servedMunicipality();
	const subject = await staffSubject(db, input.ceremonyHash, at);
	const verified = await verifyRegistration(db, relyingParty(city, 'staff'), {
		realm: 'staff',
		ceremonyHash: input.ceremonyHash,
		response: input.response,
		policy: await policyFor(db, 'staff', city.municipality_code),
		now: at
	});
	if (verified.subjectId !== subject.enrolmentId) {
		throw new AuthFailure('challenge_mismatch', 'registration challenge of another subject');
	}
	const credential = await db.transaction().execute((trx) =>
		bindCredential(trx, caller.context, {
			subject,
			realm: 'staff',
			credential: verified.credential,
			locale: input.locale,
			portalUrl: `${config().origin}/sign-in`,
			now: at
		})
	);
	const manager = sessionManagers().staff;
	if (input.previousSession) await manager.end(input.previousSession);
	const { cookie } = await manager.start({
		ownerId: subject.owner.id,
		municipalityCode: city.municipality_code,
		credentialId: credential.id,
		ip: input.client.ip,
		userAgent: input.client.userAgent,
		now: at
	});
	return { cookie, redirect: '/staff' };
}

/**
 * A verified new credential bound to its owner, in the caller's transaction: the enrolment used
 * (once), the credential stored, the resident told, the registration audited.
 */
async function bindCredential(
	trx: Executor,
	context: AuditContext | undefined,
	input: {
		subject: RegistrationSubject;
		realm: AuthRealm;
		credential: NewCredential;
		locale: 'ja' | 'en';
		portalUrl: string;
		/** The portal's sequence of the item it came in, when it came through the exchange. */
		portalSeq?: string;
		now: Date;
	}
): Promise<CredentialRow> {
	const { subject, realm, now } = input;
	if (subject.enrolmentId && !(await markUsed(trx, subject.enrolmentId, now))) {
		throw new AuthFailure('code_used');
	}
	const credential = await addCredential(trx, {
		owner: subject.owner,
		municipalityCode: subject.municipalityCode,
		credential: input.credential,
		nickname: defaultNickname(input.credential.transports, input.locale, now),
		enrolmentId: subject.enrolmentId,
		now
	});
	if (realm === 'resident') {
		await notify(trx, {
			municipalityCode: subject.municipalityCode,
			accountId: subject.owner.id,
			kind: 'passkey_added',
			portalUrl: input.portalUrl,
			now
		});
	}
	const actor: Actor =
		realm === 'resident'
			? { type: 'resident', id: subject.owner.id, role: 'resident' }
			: { type: 'staff', id: subject.owner.id, role: 'staff', department: null };
	await recordAudit(trx, {
		municipalityCode: subject.municipalityCode,
		actor,
		context,
		action: 'auth.register',
		subjectAtenaNumber: subject.atenaNumber ?? undefined,
		objectType: 'webauthn_credential',
		objectId: credential.id,
		result: 'ok',
		payload: {
			realm,
			enrolment: subject.enrolmentId,
			backup_eligible: credential.backup_eligible,
			...(input.portalSeq ? { portalSeq: input.portalSeq } : {})
		}
	});
	return credential;
}

/** A claimed enrolment's audit entry: by someone not signed in yet, about the enrolment. */
const auditClaimed = (db: Executor, enrolment: Enrolment, context: AuditContext | undefined) =>
	recordAudit(db, {
		municipalityCode: enrolment.municipality_code,
		actor: { type: 'anonymous', id: 'anonymous', role: 'anonymous' },
		context,
		action: 'auth.enrolment_claim',
		subjectAtenaNumber: enrolment.atena_number ?? undefined,
		objectType: 'enrolment',
		objectId: enrolment.id,
		result: 'ok',
		payload: { route: enrolment.route }
	});

/** A resident's claim as the portal forwards it: a letter code with the birth date, or a desk link. */
export type ResidentClaim =
	{ by: 'letter'; code: string; birthDate: string } | { by: 'desk'; token: string };

/**
 * The answer to a claim: not accepted (one answer for every reason), or accepted with the options
 * of the passkey to make — the challenge is this side's, so the passkey it later confirms is one
 * made for this claim.
 */
export type ClaimAnswer =
	{ accepted: false } | { accepted: true; options: PublicKeyCredentialCreationOptionsJSON };

/** The answer to a registration confirmed here: the account the passkey now opens. */
export type RegistrationAnswer = { accountId: string; credentialId: string };

/** Where an enrolment claimed through the exchange is held, in place of a browser's cookie. */
const exchangeClaimHash = (claimId: string) => sha256(`exchange-claim:${claimId}`);

/**
 * An enrolment claim forwarded by the portal (issue 27): the letter code with the birth date, or
 * the desk link, checked here where it was issued — a wrong birth date counts against the code and
 * stays counted — and audited either way. Accepted: the enrolment is held by the claim, the
 * account made, and the answer carries the options for the passkey, with a challenge this side
 * keeps for as long as the claim lasts. Not accepted: one answer for every reason.
 */
export async function takeInEnrolmentClaim(
	trx: Executor,
	input: {
		claimId: string;
		claim: ResidentClaim;
		/** The portal's origin and RP ID, for which residents make their passkeys. */
		rp: Omit<RelyingParty, 'name'>;
		/** The served city: whose chain a claim of an unknown code is audited in. */
		municipalityCode: string;
		context: AuditContext | undefined;
		now: Date;
	}
): Promise<ClaimAnswer> {
	const { claim, now } = input;
	const ceremonyHash = exchangeClaimHash(input.claimId);
	const caller: Caller = {
		type: 'anonymous',
		id: 'anonymous',
		municipalityCode: input.municipalityCode,
		context: input.context
	};
	let enrolment: Enrolment;
	try {
		enrolment =
			claim.by === 'letter'
				? await claimLetterCode(trx, { ...claim, ceremonyHash, now })
				: await claimLink(trx, { route: 'desk', token: claim.token, ceremonyHash, now });
	} catch (failure) {
		if (!(failure instanceof AuthFailure)) throw failure;
		await auditCeremonyFailure(trx, caller, {
			action: 'auth.enrolment_claim',
			failure,
			realm: 'resident'
		});
		return { accepted: false };
	}
	await auditClaimed(trx, enrolment, input.context);
	const subject = await enrolledSubject(trx, enrolment, now);
	const city = await trx
		.selectFrom('municipality')
		.select(['name_ja', 'division_ja'])
		.where('municipality_code', '=', enrolment.municipality_code)
		.executeTakeFirstOrThrow();
	const rp = { ...input.rp, name: relyingPartyName(city, 'resident') };
	const options = await registrationOptions(trx, rp, {
		realm: 'resident',
		ceremonyHash,
		subjectId: enrolment.id,
		userHandle: subject.userHandle,
		userName: subject.userName,
		displayName: subject.displayName,
		exclude: subject.exclude,
		policy: await policyFor(trx, 'resident', enrolment.municipality_code),
		lifetimeMs: claimLifetimeMinutes * 60_000,
		now
	});
	return { accepted: true, options };
}

/**
 * A passkey made for an accepted claim, forwarded by the portal: verified here against the
 * challenge this side gave for that claim (taken out first, so it works once) and the city's
 * policy as it stands, then bound to the account and answered with it. A registration that does
 * not verify, or names no claim this side holds, is refused (`RegistrationRefused`), for the
 * intake to report.
 */
export async function takeInEnrolmentRegistration(
	trx: Executor,
	input: {
		claimId: string;
		response: unknown;
		locale: 'ja' | 'en';
		rp: Omit<RelyingParty, 'name'>;
		portalSeq: string;
		context: AuditContext | undefined;
		now: Date;
	}
): Promise<RegistrationAnswer> {
	const { now } = input;
	const ceremonyHash = exchangeClaimHash(input.claimId);
	const enrolment = await claimedEnrolment(trx, { ceremonyHash, route: 'resident', now });
	if (!enrolment) throw new RegistrationRefused('enrolment', 'no claim held');
	let verified: Awaited<ReturnType<typeof verifyRegistration>>;
	try {
		verified = await verifyRegistration(trx, input.rp, {
			realm: 'resident',
			ceremonyHash,
			response: input.response,
			policy: await policyFor(trx, 'resident', enrolment.municipality_code),
			now
		});
	} catch (failure) {
		if (failure instanceof AuthFailure)
			throw new RegistrationRefused('registration', failure.reason);
		throw failure;
	}
	if (verified.subjectId !== enrolment.id)
		throw new RegistrationRefused('registration', 'challenge of another enrolment');
	const subject = await enrolledSubject(trx, enrolment, now);
	let credential: CredentialRow;
	try {
		credential = await bindCredential(trx, input.context, {
			subject,
			realm: 'resident',
			credential: verified.credential,
			locale: input.locale,
			portalUrl: `${input.rp.origin}/sign-in`,
			portalSeq: input.portalSeq,
			now
		});
	} catch (failure) {
		// A passkey already registered (to anyone), or the enrolment used meanwhile.
		if (failure instanceof AuthFailure)
			throw new RegistrationRefused('registration', failure.reason);
		throw failure;
	}
	return { accountId: subject.owner.id, credentialId: credential.id };
}

/**
 * A passkey added while signed in, as the act the resident signed with a passkey the account
 * already has (issue 27; the signature was verified by the intake against this side's own
 * credential): the registration it carries verified again here — made for this account (its
 * challenge derived from the account and the signed nonce), for the portal's origin and RP ID,
 * with user verification, under the city's policy as it stands — then bound to the account, the
 * resident told, audited. One that does not verify, or a passkey registered already, is refused
 * (`RegistrationRefused`), for the intake to report.
 */
export async function takeInPasskeyAddition(
	trx: Executor,
	input: {
		account: { id: string; municipality_code: string; atena_number: string };
		payload: PasskeyAddPayload;
		rp: Omit<RelyingParty, 'name'>;
		portalSeq: string;
		context: AuditContext | undefined;
		now: Date;
	}
): Promise<RegistrationAnswer> {
	const { account, payload, now } = input;
	let credential: NewCredential;
	try {
		credential = await checkRegistration(input.rp, {
			response: payload.registration,
			challenge: addPasskeyChallenge(account.id, Buffer.from(payload.nonce, 'base64url')),
			policy: await policyFor(trx, 'resident', account.municipality_code)
		});
	} catch (failure) {
		if (failure instanceof AuthFailure)
			throw new RegistrationRefused('registration', failure.reason);
		throw failure;
	}
	const subject = await residentSubject(
		trx,
		account.municipality_code,
		account.atena_number,
		null,
		now
	);
	try {
		const bound = await bindCredential(trx, input.context, {
			subject,
			realm: 'resident',
			credential,
			locale: payload.locale,
			portalUrl: `${input.rp.origin}/sign-in`,
			portalSeq: input.portalSeq,
			now
		});
		return { accountId: account.id, credentialId: bound.id };
	} catch (failure) {
		// A passkey registered already (to anyone).
		if (failure instanceof AuthFailure)
			throw new RegistrationRefused('registration', failure.reason);
		throw failure;
	}
}

/** A forwarded registration this side does not confirm: why, for the auditor. */
export class RegistrationRefused extends Error {
	constructor(
		readonly code: 'enrolment' | 'registration',
		readonly detail: string
	) {
		super(`${code}: ${detail}`);
	}
}

/**
 * The staff link this browser claimed and may still register a passkey for: whose account it is
 * (the page names it before the passkey is made).
 * @audit none — the claimant's own enrolment, whose claim was audited.
 */
export async function claimedStaffRegistration(
	db: Executor,
	_caller: Caller,
	input: { ceremonyHash: Buffer; now?: Date }
): Promise<{ loginId: string; displayName: string } | null> {
	const enrolment = await claimedEnrolment(db, {
		ceremonyHash: input.ceremonyHash,
		route: 'staff',
		now: input.now ?? new Date()
	});
	if (!enrolment) return null;
	const user = await db
		.selectFrom('staff_user')
		.select(['login_id', 'display_name'])
		.where('id', '=', enrolment.staff_user_id!)
		.executeTakeFirstOrThrow();
	return { loginId: user.login_id, displayName: user.display_name };
}

/**
 * A staff link claimed for this browser (the back office's own enrolment: residents' claims come
 * through the exchange, `takeInEnrolmentClaim`): behind the per-address throttle, audited either
 * way. Returns the failure (counted against the address, one message for every reason) or null.
 */
export async function claimStaffLink(
	db: Executor,
	caller: Caller,
	input: { token: string; ceremonyHash: Buffer; client: Client; now?: Date }
): Promise<AuthFailure | null> {
	const now = input.now ?? new Date();
	try {
		if (await isLimited(db, limits.codeFailuresPerIp(input.client.ip))) {
			throw new AuthFailure('rate_limited', 'code failures from this address');
		}
		const enrolment = await claimLink(db, {
			route: 'staff',
			token: input.token,
			ceremonyHash: input.ceremonyHash,
			now
		});
		await auditClaimed(db, enrolment, caller.context);
		return null;
	} catch (failure) {
		if (!(failure instanceof AuthFailure)) throw failure;
		if (failure.reason !== 'rate_limited') {
			await count(db, limits.codeFailuresPerIp(input.client.ip));
		}
		await auditCeremonyFailure(db, caller, {
			action: 'auth.enrolment_claim',
			failure,
			realm: 'staff'
		});
		return failure;
	}
}
