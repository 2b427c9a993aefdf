// Field encryption for 個人番号: AES-256-GCM with a fresh 96-bit nonce per value, additional
// authenticated data binding the ciphertext to its row (so two rows' ciphertexts cannot be
// swapped), and an HMAC-SHA-256 blind index for exact look-ups. Both keys are derived from the
// one MY_NUMBER_KEY with HKDF, so a city manages a single secret, kept outside the database.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { isValidMyNumber } from './check-digit';

export type MyNumberKey = { id: string; key: Buffer };
export type SealedMyNumber = {
	keyId: string;
	nonce: Buffer;
	ciphertext: Buffer;
	authTag: Buffer;
	blindIndex: Buffer;
};
export type RowBinding = { municipalityCode: string; atenaNumber: string };

export class InvalidMyNumberError extends Error {
	override name = 'InvalidMyNumberError';
	constructor() {
		// Never echo the value.
		super('not a valid 個人番号 (12 digits with a correct check digit)');
	}
}

function derive(master: Buffer, purpose: string): Buffer {
	return Buffer.from(
		hkdfSync('sha256', master, Buffer.alloc(0), `vaccination-portal/mynumber/${purpose}`, 32)
	);
}

const derived = new WeakMap<Buffer, { encryption: Buffer; index: Buffer }>();
function keysFor(master: Buffer) {
	let keys = derived.get(master);
	if (!keys) {
		keys = { encryption: derive(master, 'encryption'), index: derive(master, 'blind-index') };
		derived.set(master, keys);
	}
	return keys;
}

function additionalData(binding: RowBinding): Buffer {
	return Buffer.from(
		`mynumber.individual_number|${binding.municipalityCode}|${binding.atenaNumber}`,
		'utf8'
	);
}

export function blindIndex(key: MyNumberKey, municipalityCode: string, value: string): Buffer {
	return createHmac('sha256', keysFor(key.key).index)
		.update(`${municipalityCode}|${value}`)
		.digest();
}

export function sealMyNumber(key: MyNumberKey, binding: RowBinding, value: string): SealedMyNumber {
	if (!isValidMyNumber(value)) throw new InvalidMyNumberError();
	const nonce = randomBytes(12);
	const cipher = createCipheriv('aes-256-gcm', keysFor(key.key).encryption, nonce);
	cipher.setAAD(additionalData(binding));
	const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
	return {
		keyId: key.id,
		nonce,
		ciphertext,
		authTag: cipher.getAuthTag(),
		blindIndex: blindIndex(key, binding.municipalityCode, value)
	};
}

export function openMyNumber(
	keys: MyNumberKey[],
	binding: RowBinding,
	sealed: Omit<SealedMyNumber, 'blindIndex'>
): string {
	const key = keys.find((candidate) => candidate.id === sealed.keyId);
	if (!key) throw new Error(`no key with id ${sealed.keyId} is configured`);
	const decipher = createDecipheriv('aes-256-gcm', keysFor(key.key).encryption, sealed.nonce);
	decipher.setAAD(additionalData(binding));
	decipher.setAuthTag(sealed.authTag);
	return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString('utf8');
}
