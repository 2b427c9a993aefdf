// Signed acts: our analogue of the JPKI 署名用電子証明書. Submitting, withdrawing, answering a
// 差し戻し and giving consent each need a fresh, user-verified assertion whose challenge is
// SHA-256(canonical payload ‖ server nonce). Everything needed to check the signature again is
// stored with the act, so `reverifySignedAct` needs nothing but the database. The portal verifies
// an act once against what it knows and sends it; the back office verifies it again and stores it
// (exchange/intake.ts).
import { verifyAuthenticationResponse } from '@simplewebauthn/server';
import { randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import { canonicalJson } from '../audit/chain';
import type { DB, Executor } from '../db';
import type { EitherZoneExecutor } from '../db/either-zone';
import { AuthFailure } from './failures';
import { sha256 } from './tokens';
import {
	authenticationOptions,
	verifyAssertion,
	type AssertionStore,
	type RelyingParty,
	type VerifiedAssertion
} from './webauthn';

export const signedActKinds = [
	'submit',
	'withdraw',
	'answer_return',
	'consent',
	'desk_request',
	'passkey_add'
] as const;
export type SignedActKind = (typeof signedActKinds)[number];
export type SignedAct = Selectable<DB['signed_act']>;

export function actDigest(payload: string, nonce: Buffer): Buffer {
	return sha256(Buffer.concat([Buffer.from(payload, 'utf8'), nonce]));
}

/** Options for signing `payload`: the challenge is the digest, so the signature covers it. */
export async function signingOptions(
	db: EitherZoneExecutor,
	rp: RelyingParty,
	input: {
		accountId: string;
		kind: SignedActKind;
		payload: unknown;
		ceremonyHash: Buffer;
		/** The account's passkeys that may sign, for the browser to offer. */
		credentials: { credential_id: string; transports: string[] }[];
		now: Date;
	}
) {
	const payload = canonicalJson(input.payload);
	const nonce = randomBytes(32);
	const options = await authenticationOptions(db, rp, {
		realm: 'resident',
		purpose: 'sign',
		ceremonyHash: input.ceremonyHash,
		subjectId: input.accountId,
		challenge: actDigest(payload, nonce).toString('base64url'),
		signed: { payload, kind: input.kind, nonce },
		allow: input.credentials,
		now: input.now
	});
	return { options, payload };
}

/**
 * Verifies the assertion over a pending signature: the challenge is consumed (in its own commit,
 * so a failed effect cannot make the same assertion usable again) and must be the digest of the
 * pending payload. Returns the act as signed, to be stored here or sent to the back office.
 */
export async function verifySigning(
	store: AssertionStore,
	rp: RelyingParty,
	input: {
		accountId: string;
		ceremonyHash: Buffer;
		response: unknown;
		now: Date;
	}
): Promise<{
	assertion: VerifiedAssertion;
	kind: SignedActKind;
	act: RawSignedAct;
	digest: Buffer;
}> {
	const assertion = await verifyAssertion(store, rp, {
		realm: 'resident',
		purpose: 'sign',
		ceremonyHash: input.ceremonyHash,
		response: input.response,
		expectedOwnerId: input.accountId,
		now: input.now
	});
	const { challenge, response } = assertion;
	const digest = actDigest(challenge.signed_payload!, challenge.nonce!);
	if (digest.toString('base64url') !== challenge.challenge) {
		throw new AuthFailure('challenge_mismatch', 'digest does not match the pending payload');
	}
	return {
		assertion,
		kind: challenge.signed_kind as SignedActKind,
		digest,
		act: {
			credentialId: response.id,
			payload: challenge.signed_payload!,
			nonce: challenge.nonce!,
			clientDataJSON: Buffer.from(response.response.clientDataJSON, 'base64url'),
			authenticatorData: Buffer.from(response.response.authenticatorData, 'base64url'),
			signature: Buffer.from(response.response.signature, 'base64url'),
			userHandle: response.response.userHandle
				? Buffer.from(response.response.userHandle, 'base64url')
				: null,
			origin: rp.origin,
			rpId: rp.rpId
		}
	};
}

export type SignatureCheck =
	{ valid: true; signedAt: Date; credentialRevoked: boolean } | { valid: false; reason: string };

/** Everything needed to check a signed act: what was signed and the raw WebAuthn assertion. */
export type RawSignedAct = {
	/** The WebAuthn credential id (base64url), as the authenticator names it. */
	credentialId: string;
	payload: string;
	nonce: Buffer;
	clientDataJSON: Buffer;
	authenticatorData: Buffer;
	signature: Buffer;
	userHandle: Buffer | null;
	origin: string;
	rpId: string;
};

/**
 * Checks an act's signature from its raw parts and the credential's public key: the challenge
 * is recomputed from the payload and nonce, so a changed byte of what was signed gives another
 * challenge and the signature fails. User verification is required.
 */
export async function checkActSignature(
	act: RawSignedAct,
	publicKey: Uint8Array<ArrayBuffer>
): Promise<{ valid: true } | { valid: false; reason: string }> {
	const digest = actDigest(act.payload, act.nonce);
	try {
		const result = await verifyAuthenticationResponse({
			response: {
				id: act.credentialId,
				rawId: act.credentialId,
				type: 'public-key',
				response: {
					clientDataJSON: act.clientDataJSON.toString('base64url'),
					authenticatorData: act.authenticatorData.toString('base64url'),
					signature: act.signature.toString('base64url'),
					userHandle: act.userHandle?.toString('base64url')
				},
				clientExtensionResults: {}
			},
			expectedChallenge: digest.toString('base64url'),
			expectedOrigin: act.origin,
			expectedRPID: act.rpId,
			credential: { id: act.credentialId, publicKey, counter: 0 },
			requireUserVerification: true
		});
		return result.verified === true
			? { valid: true }
			: { valid: false, reason: 'signature does not verify' };
	} catch (error) {
		return { valid: false, reason: (error as Error).message.split(',')[0]! };
	}
}

/** Checks a stored act's signature again from the database alone. */
export async function reverifySignedAct(db: Executor, actId: string): Promise<SignatureCheck> {
	const row = await db
		.selectFrom('signed_act')
		.innerJoin('webauthn_credential', 'webauthn_credential.id', 'signed_act.credential_id')
		.selectAll('signed_act')
		.select([
			'webauthn_credential.credential_id as webauthn_id',
			'webauthn_credential.public_key',
			'webauthn_credential.revoked_at'
		])
		.where('signed_act.id', '=', actId)
		.executeTakeFirst();
	if (!row) return { valid: false, reason: 'no such act' };
	const check = await checkActSignature(
		{
			credentialId: row.webauthn_id,
			payload: row.payload,
			nonce: row.nonce,
			clientDataJSON: row.client_data_json,
			authenticatorData: row.authenticator_data,
			signature: row.signature,
			userHandle: row.user_handle,
			origin: row.origin,
			rpId: row.rp_id
		},
		new Uint8Array(row.public_key)
	);
	return check.valid
		? { valid: true, signedAt: row.signed_at, credentialRevoked: row.revoked_at !== null }
		: check;
}
