// A software authenticator (ES256) for benchmarks and integration tests: real keys, real signatures, the same bytes a
// phone would send, so the server's verification path runs unchanged — only faster than a browser.
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { addCredential, ensureResidentAccount } from '../../src/lib/server/auth/credentials';
import type { Database } from '../../src/lib/server/db';

export type SoftCredential = {
	id: string;
	publicKeyCose: Buffer;
	privateKey: KeyObject;
	userHandle: Buffer;
	counter: number;
};

export function newSoftCredential(userHandle: Buffer): SoftCredential {
	const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
	const jwk = publicKey.export({ format: 'jwk' });
	const x = Buffer.from(jwk.x!, 'base64url');
	const y = Buffer.from(jwk.y!, 'base64url');
	// COSE_Key {1: 2 (EC2), 3: -7 (ES256), -1: 1 (P-256), -2: x, -3: y} in CBOR.
	const publicKeyCose = Buffer.concat([
		Buffer.from([0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20]),
		x,
		Buffer.from([0x22, 0x58, 0x20]),
		y
	]);
	return {
		id: randomBytes(16).toString('base64url'),
		publicKeyCose,
		privateKey,
		userHandle,
		counter: 0
	};
}

export function softAssertion(
	credential: SoftCredential,
	input: {
		challenge: string;
		origin: string;
		rpId: string;
		userVerified?: boolean;
		/** Backup eligible and backed up (BE, BS flags): a synced passkey. */
		synced?: boolean;
		/** A counter other than the next one (a clone). */
		counter?: number;
		userHandle?: Buffer;
		type?: string;
	}
) {
	credential.counter = input.counter ?? credential.counter + 1;
	const flags = 0x01 | (input.userVerified === false ? 0 : 0x04) | (input.synced ? 0x08 | 0x10 : 0);
	const counter = Buffer.alloc(4);
	counter.writeUInt32BE(credential.counter);
	const authenticatorData = Buffer.concat([
		createHash('sha256').update(input.rpId).digest(),
		Buffer.from([flags]),
		counter
	]);
	const clientDataJSON = Buffer.from(
		JSON.stringify({
			type: input.type ?? 'webauthn.get',
			challenge: input.challenge,
			origin: input.origin,
			crossOrigin: false
		})
	);
	const signature = sign(
		'sha256',
		Buffer.concat([authenticatorData, createHash('sha256').update(clientDataJSON).digest()]),
		credential.privateKey
	);
	return {
		id: credential.id,
		rawId: credential.id,
		type: 'public-key' as const,
		response: {
			clientDataJSON: clientDataJSON.toString('base64url'),
			authenticatorData: authenticatorData.toString('base64url'),
			signature: signature.toString('base64url'),
			userHandle: (input.userHandle ?? credential.userHandle).toString('base64url')
		},
		clientExtensionResults: {}
	};
}

/** A resident account for a registered person, with one software passkey bound to it. */
export async function softResident(
	db: Database,
	input: { municipalityCode: string; atenaNumber: string; synced?: boolean }
): Promise<{ accountId: string; credentialRowId: string; soft: SoftCredential }> {
	const account = await ensureResidentAccount(db, { ...input, now: new Date() });
	const soft = newSoftCredential(account.user_handle);
	const row = await addCredential(db, {
		owner: { realm: 'resident', id: account.id },
		municipalityCode: input.municipalityCode,
		credential: {
			credentialId: soft.id,
			publicKey: soft.publicKeyCose,
			signCount: 0,
			transports: ['internal'],
			backupEligible: input.synced ?? false,
			backupState: input.synced ?? false,
			aaguid: '00000000-0000-0000-0000-000000000000',
			attestationFormat: 'none'
		},
		nickname: 'test',
		enrolmentId: null,
		now: new Date()
	});
	return { accountId: account.id, credentialRowId: row.id, soft };
}

/**
 * A new credential as a browser returns it from navigator.credentials.create (attestation
 * 'none'), encoded here by hand — CBOR and authenticator data — without the server's library.
 */
export function softRegistration(
	credential: SoftCredential,
	input: { challenge: string; origin: string; rpId: string; userVerified?: boolean }
) {
	const credentialId = Buffer.from(credential.id, 'base64url');
	const length = Buffer.alloc(2);
	length.writeUInt16BE(credentialId.length);
	const flags = 0x01 | (input.userVerified === false ? 0 : 0x04) | 0x40;
	const authData = Buffer.concat([
		createHash('sha256').update(input.rpId).digest(),
		Buffer.from([flags]),
		Buffer.alloc(4), // sign count 0
		Buffer.alloc(16), // AAGUID: none
		length,
		credentialId,
		credential.publicKeyCose
	]);
	const text = (value: string) =>
		Buffer.concat([Buffer.from([0x60 + value.length]), Buffer.from(value)]);
	const authDataLength = Buffer.alloc(2);
	authDataLength.writeUInt16BE(authData.length);
	// {"fmt": "none", "attStmt": {}, "authData": bytes}
	const attestationObject = Buffer.concat([
		Buffer.from([0xa3]),
		text('fmt'),
		text('none'),
		text('attStmt'),
		Buffer.from([0xa0]),
		text('authData'),
		Buffer.from([0x59]),
		authDataLength,
		authData
	]);
	const clientDataJSON = Buffer.from(
		JSON.stringify({
			type: 'webauthn.create',
			challenge: input.challenge,
			origin: input.origin,
			crossOrigin: false
		})
	);
	return {
		id: credential.id,
		rawId: credential.id,
		type: 'public-key',
		response: {
			clientDataJSON: clientDataJSON.toString('base64url'),
			attestationObject: attestationObject.toString('base64url'),
			transports: ['internal']
		},
		clientExtensionResults: {}
	};
}
