// The municipality's document-signing keys (ES256, P-256) for SMART Health Cards. The private key
// is sealed with DOCUMENT_KEY before it reaches the database; the public keys — including retired
// ones, so certificates signed before a rotation still verify — are published as a JWKS.
import {
	createCipheriv,
	createDecipheriv,
	createPrivateKey,
	generateKeyPairSync,
	randomBytes,
	type KeyObject
} from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { Executor } from '../db';
import { m } from '$lib/paraglide/messages';
import { DomainError } from '../errors';

export type SealingKey = { id: string; key: Buffer };
export type SigningKey = { kid: string; privateKey: KeyObject };

/** Nothing can be signed until the city's key is in place: the decision waits (503). */
export class SigningKeyError extends DomainError<'signing_key_missing'> {
	protected readonly messages = { signing_key_missing: m.case_signing_key_missing };
	constructor(/** For the operator's log: what is missing. */ detail: string) {
		super('signing_key_missing', 503);
		this.message = detail;
	}
}

function seal(sealing: SealingKey, kid: string, plain: Buffer): Buffer {
	const nonce = randomBytes(12);
	const cipher = createCipheriv('aes-256-gcm', sealing.key, nonce);
	cipher.setAAD(Buffer.from(`document-signing-key:${kid}`));
	const ciphertext = Buffer.concat([cipher.update(plain), cipher.final()]);
	return Buffer.concat([nonce, cipher.getAuthTag(), ciphertext]);
}

function unseal(sealing: SealingKey, kid: string, sealed: Buffer): Buffer {
	const decipher = createDecipheriv('aes-256-gcm', sealing.key, sealed.subarray(0, 12));
	decipher.setAAD(Buffer.from(`document-signing-key:${kid}`));
	decipher.setAuthTag(sealed.subarray(12, 28));
	return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]);
}

/** Creates a key and makes it the one that signs; the previous key is retired but published. */
export async function rotateSigningKey(
	db: Executor,
	input: { municipalityCode: string; sealing: SealingKey; now: Date }
): Promise<{ kid: string; retired: string[] }> {
	const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
	const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
	const kid = await calculateJwkThumbprint({ kty, crv, x, y } as JWK, 'sha256');
	const sealed = seal(
		input.sealing,
		kid,
		privateKey.export({ format: 'der', type: 'pkcs8' }) as Buffer
	);
	const run = async (trx: Executor) => {
		const retired = await trx
			.updateTable('document_signing_key')
			.set({ retired_at: input.now })
			.where('municipality_code', '=', input.municipalityCode)
			.where('retired_at', 'is', null)
			.returning('kid')
			.execute();
		await trx
			.insertInto('document_signing_key')
			.values({
				kid,
				municipality_code: input.municipalityCode,
				public_jwk: JSON.stringify({ kty, crv, x, y, kid, use: 'sig', alg: 'ES256' }),
				sealing_key_id: input.sealing.id,
				sealed_private: sealed,
				created_at: input.now
			})
			.execute();
		return { kid, retired: retired.map((row) => row.kid) };
	};
	return db.isTransaction ? run(db) : db.transaction().execute(run);
}

const unsealed = new Map<string, KeyObject>();

/** The key that signs now (unsealed once per process). */
export async function activeSigningKey(
	db: Executor,
	municipalityCode: string,
	sealing: SealingKey | undefined
): Promise<SigningKey> {
	if (!sealing) throw new SigningKeyError('DOCUMENT_KEY is not set: certificates cannot be signed');
	const row = await db
		.selectFrom('document_signing_key')
		.select(['kid', 'sealing_key_id', 'sealed_private'])
		.where('municipality_code', '=', municipalityCode)
		.where('retired_at', 'is', null)
		.executeTakeFirst();
	if (!row) {
		throw new SigningKeyError(
			'no document-signing key: run npm run documents:key -- --rotate to create one'
		);
	}
	let privateKey = unsealed.get(row.kid);
	if (!privateKey) {
		if (row.sealing_key_id !== sealing.id) {
			throw new SigningKeyError(
				`the signing key is sealed with DOCUMENT_KEY ${row.sealing_key_id}`
			);
		}
		privateKey = createPrivateKey({
			key: unseal(sealing, row.kid, row.sealed_private),
			format: 'der',
			type: 'pkcs8'
		});
		unsealed.set(row.kid, privateKey);
	}
	return { kid: row.kid, privateKey };
}
