// Signed acts: our analogue of the JPKI 署名用電子証明書. Submitting, withdrawing, answering a
// 差し戻し and giving consent each need a fresh, user-verified assertion whose challenge is
// SHA-256(canonical payload ‖ server nonce). Everything needed to check the signature again is
// stored with the act, so `reverifySignedAct` needs nothing but the database.
import { verifyAuthenticationResponse } from '@simplewebauthn/server';
import { randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import { canonicalJson } from '../audit/chain';
import type { DB, Executor } from '../db';
import { AuthFailure } from './failures';
import { sha256 } from './tokens';
import {
	authenticationOptions,
	verifyAssertion,
	type RelyingParty,
	type VerifiedAssertion
} from './webauthn';

export const signedActKinds = [
	'submit',
	'withdraw',
	'answer_return',
	'consent',
	'desk_request'
] as const;
export type SignedActKind = (typeof signedActKinds)[number];
export type SignedAct = Selectable<DB['signed_act']>;

export function actDigest(payload: string, nonce: Buffer): Buffer {
	return sha256(Buffer.concat([Buffer.from(payload, 'utf8'), nonce]));
}

/** Options for signing `payload`: the challenge is the digest, so the signature covers it. */
export async function signingOptions(
	db: Executor,
	rp: RelyingParty,
	input: {
		accountId: string;
		kind: SignedActKind;
		payload: unknown;
		ceremonyHash: Buffer;
		now: Date;
	}
) {
	const payload = canonicalJson(input.payload);
	const nonce = randomBytes(32);
	const credentials = await db
		.selectFrom('webauthn_credential')
		.select(['credential_id', 'transports'])
		.where('resident_account_id', '=', input.accountId)
		.where('revoked_at', 'is', null)
		.where('flagged_at', 'is', null)
		.execute();
	const options = await authenticationOptions(db, rp, {
		realm: 'resident',
		purpose: 'sign',
		ceremonyHash: input.ceremonyHash,
		subjectId: input.accountId,
		challenge: actDigest(payload, nonce).toString('base64url'),
		signed: { payload, kind: input.kind, nonce },
		allow: credentials,
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
	db: Executor,
	rp: RelyingParty,
	input: {
		accountId: string;
		ceremonyHash: Buffer;
		response: unknown;
		userHandleOf: Parameters<typeof verifyAssertion>[2]['userHandleOf'];
		now: Date;
	}
): Promise<{
	assertion: VerifiedAssertion;
	kind: SignedActKind;
	act: RawSignedAct;
	digest: Buffer;
}> {
	const assertion = await verifyAssertion(db, rp, {
		realm: 'resident',
		purpose: 'sign',
		ceremonyHash: input.ceremonyHash,
		response: input.response,
		userHandleOf: input.userHandleOf,
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

/**
 * Verifies the assertion over a pending signature and stores the act. The caller treats
 * `act.payload` as what the person signed — not whatever the browser sends alongside.
 *
 * `effect` (what the act does: the submission, the withdrawal, the desk request) runs in the
 * transaction that stores the act, so a crash leaves both or neither: never a signature that did
 * nothing, never a submission without its signature.
 */
export async function completeSigning<T = undefined>(
	db: Executor,
	rp: RelyingParty,
	input: {
		accountId: string;
		municipalityCode: string;
		ceremonyHash: Buffer;
		response: unknown;
		userHandleOf: Parameters<typeof verifyAssertion>[2]['userHandleOf'];
		now: Date;
	},
	effect?: (act: SignedAct, trx: Executor) => Promise<T>
): Promise<{ act: SignedAct; assertion: VerifiedAssertion; effect: T | undefined }> {
	const { assertion, kind, act: signed, digest } = await verifySigning(db, rp, input);
	const store = async (trx: Executor) => {
		const act = await trx
			.insertInto('signed_act')
			.values({
				municipality_code: input.municipalityCode,
				resident_account_id: input.accountId,
				kind,
				payload: signed.payload,
				nonce: signed.nonce,
				digest,
				credential_id: assertion.credential.id,
				client_data_json: signed.clientDataJSON,
				authenticator_data: signed.authenticatorData,
				signature: signed.signature,
				user_handle: signed.userHandle,
				origin: signed.origin,
				rp_id: signed.rpId,
				signed_at: input.now
			})
			.returningAll()
			.executeTakeFirstOrThrow();
		return { act, assertion, effect: effect ? await effect(act, trx) : undefined };
	};
	return db.isTransaction ? store(db) : db.transaction().execute(store);
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
