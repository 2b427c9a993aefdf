// The two WebAuthn ceremonies around @simplewebauthn/server, with what the library leaves to the
// relying party (research/anchors-security.md §2.3): challenges stored, expired and consumed
// before verification; `verified` checked explicitly; UV required on both sides; the credential's
// owner and userHandle checked; the counter updated by compare-and-swap; BE never changing.
import {
	generateAuthenticationOptions,
	generateRegistrationOptions,
	verifyAuthenticationResponse,
	verifyRegistrationResponse,
	type AuthenticationResponseJSON,
	type PublicKeyCredentialCreationOptionsJSON,
	type PublicKeyCredentialRequestOptionsJSON,
	type RegistrationResponseJSON
} from '@simplewebauthn/server';
import { randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { DB, Executor } from '../db';
import { eitherZone, type EitherZoneExecutor } from '../db/either-zone';
import { AuthFailure, reasonFromLibraryError } from './failures';
import { limits } from './rate-limit';

export type AuthRealm = 'resident' | 'staff';
export type RelyingParty = { origin: string; rpId: string; name: string };
export type CredentialRow = Selectable<DB['webauthn_credential']>;
export type ChallengeRow = Selectable<DB['webauthn_challenge']>;

export const challengeLifetimeMs = 5 * 60 * 1000;
/** Consecutive failed assertions after which a credential is disabled (SP 800-63B-4 §3.2.2). */
export const maxConsecutiveFailures = 100;

const base64url = z.string().regex(/^[A-Za-z0-9_-]*$/);
const clientExtensionResults = z.record(z.string(), z.unknown()).default({});

const registrationResponseSchema = z.object({
	id: base64url.min(16).max(1400),
	rawId: base64url.max(1400),
	type: z.literal('public-key'),
	response: z.object({
		clientDataJSON: base64url.max(4096),
		attestationObject: base64url.max(16384),
		authenticatorData: base64url.max(8192).optional(),
		transports: z.array(z.string().max(32)).max(8).optional(),
		publicKeyAlgorithm: z.number().int().optional(),
		publicKey: base64url.max(4096).optional()
	}),
	authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
	clientExtensionResults
});

const authenticationResponseSchema = z.object({
	id: base64url.min(16).max(1400),
	rawId: base64url.max(1400),
	type: z.literal('public-key'),
	response: z.object({
		clientDataJSON: base64url.max(4096),
		authenticatorData: base64url.max(8192),
		signature: base64url.max(1024),
		userHandle: base64url.max(128).optional()
	}),
	authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
	clientExtensionResults
});

const clientDataSchema = z.object({
	type: z.string(),
	challenge: base64url.min(1).max(128),
	origin: z.string().max(512)
});

export function parseRegistrationResponse(input: unknown): RegistrationResponseJSON {
	const parsed = registrationResponseSchema.safeParse(input);
	if (!parsed.success) throw new AuthFailure('malformed', 'registration response shape');
	return parsed.data as RegistrationResponseJSON;
}

export function parseAuthenticationResponse(input: unknown): AuthenticationResponseJSON {
	const parsed = authenticationResponseSchema.safeParse(input);
	if (!parsed.success) throw new AuthFailure('malformed', 'authentication response shape');
	return parsed.data as AuthenticationResponseJSON;
}

export function parseClientData(clientDataJSON: string): z.infer<typeof clientDataSchema> {
	try {
		const parsed = clientDataSchema.safeParse(
			JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8'))
		);
		if (parsed.success) return parsed.data;
	} catch {
		// fall through: not JSON
	}
	throw new AuthFailure('malformed', 'clientDataJSON');
}

// --- challenges -------------------------------------------------------------------------------

export type ChallengeBinding = {
	realm: AuthRealm;
	purpose: 'register' | 'authenticate' | 'sign';
	/** SHA-256 of the browser's ceremony cookie. */
	ceremonyHash: Buffer;
};

export async function storeChallenge(
	zone: EitherZoneExecutor,
	binding: ChallengeBinding & {
		challenge?: string;
		subjectId?: string | null;
		signed?: { payload: string; kind: string; nonce: Buffer };
		/** What a challenge was derived from, kept with it (a passkey added while signed in). */
		nonce?: Buffer;
		lifetimeMs?: number;
	},
	now: Date
): Promise<string> {
	const challenge = binding.challenge ?? randomBytes(32).toString('base64url');
	const db = eitherZone(zone);
	await db
		.insertInto('webauthn_challenge')
		.values({
			challenge,
			realm: binding.realm,
			purpose: binding.purpose,
			ceremony_hash: binding.ceremonyHash,
			subject_id: binding.subjectId ?? null,
			signed_payload: binding.signed?.payload ?? null,
			signed_kind: binding.signed?.kind ?? null,
			nonce: binding.signed?.nonce ?? binding.nonce ?? null,
			created_at: now,
			expires_at: new Date(now.getTime() + (binding.lifetimeMs ?? challengeLifetimeMs))
		})
		.execute();
	// Expired challenges are dead weight; about one issue in fifty sweeps them.
	if (Math.random() < 0.02) {
		await db.deleteFrom('webauthn_challenge').where('expires_at', '<', now).execute();
	}
	return challenge;
}

/**
 * Takes the challenge out of the store — deleted before anything is verified, so it can never
 * be used twice, not even after a failed attempt — and checks it was issued to this browser, for
 * this ceremony, less than five minutes ago.
 */
export async function consumeChallenge(
	db: EitherZoneExecutor,
	challenge: string,
	expected: ChallengeBinding,
	now: Date
): Promise<ChallengeRow> {
	const row = await eitherZone(db)
		.deleteFrom('webauthn_challenge')
		.where('challenge', '=', challenge)
		.returningAll()
		.executeTakeFirst();
	if (!row) throw new AuthFailure('challenge_unknown');
	if (
		row.realm !== expected.realm ||
		row.purpose !== expected.purpose ||
		!row.ceremony_hash.equals(expected.ceremonyHash)
	) {
		throw new AuthFailure('challenge_mismatch');
	}
	if (row.expires_at.getTime() <= now.getTime()) throw new AuthFailure('challenge_expired');
	return row;
}

// --- registration -----------------------------------------------------------------------------

export type RegistrationPolicy = {
	attestation: 'none' | 'direct';
	/** AAGUIDs accepted when attestation is 'direct'; empty means any attested authenticator. */
	aaguidAllowlist: string[];
	/** Staff credentials must stay on one device (BE = 0). */
	requireDeviceBound: boolean;
};

export async function registrationOptions(
	db: EitherZoneExecutor,
	rp: RelyingParty,
	input: {
		realm: AuthRealm;
		ceremonyHash: Buffer;
		subjectId: string;
		userHandle: Buffer;
		userName: string;
		displayName: string;
		exclude: { credential_id: string; transports: string[] }[];
		policy: RegistrationPolicy;
		/** How long the challenge may wait (an enrolment claim's: as long as the claim). */
		lifetimeMs?: number;
		/** A challenge derived by the caller, and what it was derived from (else a random one). */
		derived?: { challenge: string; nonce: Buffer };
		now: Date;
	}
): Promise<PublicKeyCredentialCreationOptionsJSON> {
	const challenge = await storeChallenge(
		db,
		{
			realm: input.realm,
			purpose: 'register',
			ceremonyHash: input.ceremonyHash,
			subjectId: input.subjectId,
			lifetimeMs: input.lifetimeMs,
			...input.derived
		},
		input.now
	);
	return generateRegistrationOptions({
		rpName: rp.name,
		rpID: rp.rpId,
		userID: new Uint8Array(input.userHandle),
		userName: input.userName,
		userDisplayName: input.displayName,
		challenge: Buffer.from(challenge, 'base64url'),
		timeout: challengeLifetimeMs,
		attestationType: input.policy.attestation,
		excludeCredentials: input.exclude.map((credential) => ({
			id: credential.credential_id,
			transports: credential.transports
		})),
		authenticatorSelection: { residentKey: 'preferred', userVerification: 'required' },
		// ES256, EdDSA, RS256: what passkeys, security keys and Windows Hello use.
		supportedAlgorithmIDs: [-7, -8, -257]
	});
}

export type NewCredential = {
	credentialId: string;
	publicKey: Buffer;
	signCount: number;
	transports: string[];
	backupEligible: boolean;
	backupState: boolean;
	aaguid: string;
	attestationFormat: string;
};

export async function verifyRegistration(
	db: Executor,
	rp: Pick<RelyingParty, 'origin' | 'rpId'>,
	input: {
		realm: AuthRealm;
		ceremonyHash: Buffer;
		response: unknown;
		policy: RegistrationPolicy;
		now: Date;
	}
): Promise<{ subjectId: string; credential: NewCredential }> {
	const response = parseRegistrationResponse(input.response);
	const clientData = parseClientData(response.response.clientDataJSON);
	const challenge = await consumeChallenge(
		db,
		clientData.challenge,
		{ realm: input.realm, purpose: 'register', ceremonyHash: input.ceremonyHash },
		input.now
	);
	return {
		subjectId: challenge.subject_id!,
		credential: await checkRegistration(rp, {
			response,
			challenge: challenge.challenge,
			policy: input.policy
		})
	};
}

/**
 * A new credential checked against the challenge it must answer, without the challenge store: the
 * portal checks a passkey this way before it forwards it (the challenge is the back office's,
 * given in its answer to the claim), and the back office again after taking its challenge out.
 */
export async function checkRegistration(
	rp: Pick<RelyingParty, 'origin' | 'rpId'>,
	input: { response: unknown; challenge: string; policy: RegistrationPolicy }
): Promise<NewCredential> {
	const response = parseRegistrationResponse(input.response);
	const clientData = parseClientData(response.response.clientDataJSON);
	if (clientData.challenge !== input.challenge) throw new AuthFailure('challenge_mismatch');
	if (clientData.origin !== rp.origin) throw new AuthFailure('origin', clientData.origin);
	let verification;
	try {
		verification = await verifyRegistrationResponse({
			response,
			expectedChallenge: input.challenge,
			expectedOrigin: rp.origin,
			expectedRPID: rp.rpId,
			requireUserVerification: true,
			supportedAlgorithmIDs: [-7, -8, -257]
		});
	} catch (error) {
		throw new AuthFailure(reasonFromLibraryError(error), (error as Error).message);
	}
	if (verification.verified !== true) throw new AuthFailure('verification_failed');
	const info = verification.registrationInfo;
	if (!info.userVerified) throw new AuthFailure('user_verification');
	if (input.policy.attestation === 'direct') {
		if (info.fmt === 'none') throw new AuthFailure('attestation', 'no attestation statement');
		const allowed = input.policy.aaguidAllowlist.map((aaguid) => aaguid.toLowerCase());
		if (allowed.length > 0 && !allowed.includes(info.aaguid.toLowerCase())) {
			throw new AuthFailure('attestation', `AAGUID ${info.aaguid} is not on the allow-list`);
		}
	}
	const backupEligible = info.credentialDeviceType === 'multiDevice';
	if (input.policy.requireDeviceBound && backupEligible) {
		throw new AuthFailure('backup_eligibility', 'a synced passkey offered for a staff account');
	}
	return {
		credentialId: info.credential.id,
		publicKey: Buffer.from(info.credential.publicKey),
		signCount: info.credential.counter,
		transports: (response.response.transports ?? []).slice(0, 8),
		backupEligible,
		backupState: info.credentialBackedUp,
		aaguid: info.aaguid,
		attestationFormat: info.fmt
	};
}

// --- authentication ---------------------------------------------------------------------------

export async function authenticationOptions(
	db: EitherZoneExecutor,
	rp: RelyingParty,
	input: {
		realm: AuthRealm;
		purpose: 'authenticate' | 'sign';
		ceremonyHash: Buffer;
		subjectId?: string;
		/** For 'sign': the challenge is the payload digest, not random. */
		challenge?: string;
		signed?: { payload: string; kind: string; nonce: Buffer };
		/** For a known account (signing, step-up): its credentials; empty for discoverable sign-in. */
		allow?: { credential_id: string; transports: string[] }[];
		now: Date;
	}
): Promise<PublicKeyCredentialRequestOptionsJSON> {
	const challenge = await storeChallenge(
		db,
		{
			realm: input.realm,
			purpose: input.purpose,
			ceremonyHash: input.ceremonyHash,
			subjectId: input.subjectId,
			challenge: input.challenge,
			signed: input.signed
		},
		input.now
	);
	return generateAuthenticationOptions({
		rpID: rp.rpId,
		challenge: Buffer.from(challenge, 'base64url'),
		timeout: challengeLifetimeMs,
		userVerification: 'required',
		allowCredentials: (input.allow ?? []).map((credential) => ({
			id: credential.credential_id,
			transports: credential.transports
		}))
	});
}

/**
 * A credential as a verifier knows it: the back office's own row (staff; a resident's passkey
 * added while signed in), or the portal's copy of what the back office confirmed and published
 * (a resident's sign-in and signed acts, issue 27). `id` is the back office's id of it.
 */
export type KnownCredential = {
	id: string;
	credentialId: string;
	ownerId: string;
	municipalityCode: string;
	publicKey: Buffer;
	/** The highest signature counter this verifier has seen. */
	signCount: number;
	transports: string[];
	backupEligible: boolean;
	revoked: boolean;
	flagged: boolean;
};

/**
 * Where a verifier keeps what an assertion needs and changes: its challenges, its credentials, the
 * owner's user handle, the failure counts, the counter. One for each zone (auth/stores.ts).
 */
export interface AssertionStore {
	consumeChallenge(challenge: string, binding: ChallengeBinding, now: Date): Promise<ChallengeRow>;
	/** The credential of this realm with this WebAuthn id, or null (unknown here). */
	credential(credentialId: string): Promise<KnownCredential | null>;
	/** The owner's user handle, and whether they may sign in at all. */
	owner(credential: KnownCredential): Promise<{ handle: Buffer; active: boolean } | null>;
	failuresSoFar(ownerId: string, now: Date): Promise<number>;
	/** A failed assertion with the credential (too many in a row revoke it). */
	countFailure(credential: KnownCredential, now: Date): Promise<void>;
	/** A counter that went backwards: the credential stops working until its owner re-proves. */
	flagRegression(credential: KnownCredential, now: Date): Promise<void>;
	/** The verified use, by compare-and-swap on the counter: false when another use won. */
	recordUse(
		credential: KnownCredential,
		use: { signCount: number; backupState: boolean },
		now: Date
	): Promise<boolean>;
	clearFailures(ownerId: string): Promise<void>;
}

export type VerifiedAssertion = {
	credential: KnownCredential;
	ownerId: string;
	challenge: ChallengeRow;
	response: AuthenticationResponseJSON;
	newSignCount: number;
};

/** Thrown failures that concern a known credential carry it, for the audit entry. */
export class CredentialFailure extends AuthFailure {
	constructor(
		reason: AuthFailure['reason'],
		readonly credential: KnownCredential,
		detail?: string
	) {
		super(reason, detail);
	}
}

export async function verifyAssertion(
	store: AssertionStore,
	rp: RelyingParty,
	input: {
		realm: AuthRealm;
		purpose: 'authenticate' | 'sign';
		ceremonyHash: Buffer;
		response: unknown;
		/** For signing and step-up: the account that must own the credential. */
		expectedOwnerId?: string;
		now: Date;
	}
): Promise<VerifiedAssertion> {
	const response = parseAuthenticationResponse(input.response);
	const clientData = parseClientData(response.response.clientDataJSON);
	const challenge = await store.consumeChallenge(
		clientData.challenge,
		{ realm: input.realm, purpose: input.purpose, ceremonyHash: input.ceremonyHash },
		input.now
	);
	// A staff credential offered to the resident site (or the reverse) is simply unknown there.
	const credential = await store.credential(response.id);
	if (!credential) throw new AuthFailure('credential_unknown');
	if (credential.revoked) throw new CredentialFailure('credential_revoked', credential);
	if (credential.flagged) throw new CredentialFailure('credential_flagged', credential);
	const { ownerId } = credential;
	if (input.expectedOwnerId && input.expectedOwnerId !== ownerId) {
		throw new CredentialFailure('credential_owner', credential, 'another account’s credential');
	}
	if (challenge.subject_id && challenge.subject_id !== ownerId) {
		throw new CredentialFailure(
			'credential_owner',
			credential,
			'challenge issued to another account'
		);
	}
	// Ten failed ceremonies in fifteen minutes pause the account, whichever address they came from.
	const accountFailures = await store.failuresSoFar(ownerId, input.now);
	if (accountFailures >= limits.failuresPerAccount(ownerId).max) {
		throw new CredentialFailure('rate_limited', credential, 'account failures');
	}
	const owner = await store.owner(credential);
	if (!owner || !owner.active) throw new CredentialFailure('account_inactive', credential);
	// Discoverable sign-in: the authenticator names the user; it must be this credential's owner
	// (w3c/webauthn #753). The library only checks that userHandle is a string.
	if (
		response.response.userHandle !== undefined &&
		!Buffer.from(response.response.userHandle, 'base64url').equals(owner.handle)
	) {
		throw new CredentialFailure('credential_owner', credential, 'userHandle of another account');
	}
	if (input.purpose === 'authenticate' && response.response.userHandle === undefined) {
		throw new CredentialFailure('credential_owner', credential, 'no userHandle');
	}
	if (clientData.origin !== rp.origin) {
		await store.countFailure(credential, input.now);
		throw new CredentialFailure('origin', credential, clientData.origin);
	}

	const verify = (storedCounter: number) =>
		verifyAuthenticationResponse({
			response,
			expectedChallenge: challenge.challenge,
			expectedOrigin: rp.origin,
			expectedRPID: rp.rpId,
			credential: {
				id: credential.credentialId,
				publicKey: new Uint8Array(credential.publicKey),
				counter: storedCounter,
				transports: credential.transports as never
			},
			requireUserVerification: true
		});
	let verification;
	try {
		verification = await verify(credential.signCount);
	} catch (error) {
		let reason = reasonFromLibraryError(error);
		// The library compares the counter before it checks the signature. Only an assertion the
		// key really signed proves a second copy of it: anyone else (who needs no more than the
		// credential id and user handle) could otherwise disable the key (issue 24, item 6).
		if (reason === 'counter_regression') {
			const signed = await verify(0).then(
				(result) => result.verified === true,
				() => false
			);
			if (!signed) reason = 'signature';
		}
		if (reason === 'counter_regression') await store.flagRegression(credential, input.now);
		else await store.countFailure(credential, input.now);
		throw new CredentialFailure(reason, credential, (error as Error).message);
	}
	// The library returns verified: false for a bad signature rather than throwing.
	if (verification.verified !== true) {
		await store.countFailure(credential, input.now);
		throw new CredentialFailure('signature', credential);
	}
	const info = verification.authenticationInfo;
	if (!info.userVerified) throw new CredentialFailure('user_verification', credential);
	if ((info.credentialDeviceType === 'multiDevice') !== credential.backupEligible) {
		throw new CredentialFailure('backup_eligibility', credential, 'BE flag changed');
	}
	const recorded = await store.recordUse(
		credential,
		{ signCount: info.newCounter, backupState: info.credentialBackedUp },
		input.now
	);
	// Two assertions verified in parallel against the same stored counter: only one may win.
	if (!recorded) throw new CredentialFailure('counter_regression', credential, 'concurrent use');
	// A success resets the account's count (only written when there is one to reset).
	if (accountFailures > 0) await store.clearFailures(ownerId);
	return { credential, ownerId, challenge, response, newSignCount: info.newCounter };
}
