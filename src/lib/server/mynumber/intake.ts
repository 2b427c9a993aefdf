// 個人番号 typed by a relief claimant on the internet-facing portal, sealed so that only the back
// office can open it (DOMAIN.md §1, 三層の対策). The back office's X25519 key pair is derived
// from MY_NUMBER_KEY; the portal is given only the public half (MY_NUMBER_INTAKE_KEY). Each value
// is sealed with a fresh ephemeral key (ECIES: X25519 → HKDF-SHA-256 → AES-256-GCM) and bound to
// its application by the additional data, so a sealed value cannot be moved to another case.
import {
	createCipheriv,
	createDecipheriv,
	createPrivateKey,
	createPublicKey,
	diffieHellman,
	generateKeyPairSync,
	hkdfSync,
	type KeyObject
} from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { InvalidMyNumberError, type MyNumberKey } from './cipher';
import { isValidMyNumber } from './check-digit';

export type IntakePublicKey = { id: string; key: Buffer };
export type SealedIntake = {
	keyId: string;
	ephemeralPublicKey: Buffer;
	nonce: Buffer;
	ciphertext: Buffer;
	authTag: Buffer;
};

// DER prefixes of an X25519 private key (PKCS#8) and public key (SPKI) around the raw 32 bytes.
const pkcs8Prefix = Buffer.from('302e020100300506032b656e04220420', 'hex');
const spkiPrefix = Buffer.from('302a300506032b656e032100', 'hex');

function privateKeyOf(master: MyNumberKey): KeyObject {
	const seed = Buffer.from(
		hkdfSync('sha256', master.key, Buffer.alloc(0), 'vaccination-portal/mynumber/intake', 32)
	);
	return createPrivateKey({
		key: Buffer.concat([pkcs8Prefix, seed]),
		format: 'der',
		type: 'pkcs8'
	});
}

function rawPublic(key: KeyObject): Buffer {
	return (createPublicKey(key).export({ format: 'der', type: 'spki' }) as Buffer).subarray(
		spkiPrefix.length
	);
}

function publicKeyOf(raw: Buffer): KeyObject {
	return createPublicKey({ key: Buffer.concat([spkiPrefix, raw]), format: 'der', type: 'spki' });
}

/** The public half the portal seals with, as the key id and 32 raw bytes. */
export function intakePublicKey(master: MyNumberKey): IntakePublicKey {
	return { id: master.id, key: rawPublic(privateKeyOf(master)) };
}

export function formatIntakeKey(key: IntakePublicKey): string {
	return `${key.id}:${key.key.toString('base64')}`;
}

function aeadKey(shared: Buffer, ephemeral: Buffer, recipient: Buffer): Buffer {
	return Buffer.from(
		hkdfSync(
			'sha256',
			shared,
			Buffer.concat([ephemeral, recipient]),
			'vaccination-portal/mynumber/intake/aead',
			32
		)
	);
}

const additionalData = (applicationId: string) =>
	Buffer.from(`mynumber.application_intake|${applicationId}`, 'utf8');

export function sealIntake(
	recipient: IntakePublicKey,
	applicationId: string,
	value: string
): SealedIntake {
	if (!isValidMyNumber(value)) throw new InvalidMyNumberError();
	const ephemeral = generateKeyPairSync('x25519');
	const ephemeralPublicKey = rawPublic(ephemeral.privateKey);
	const shared = diffieHellman({
		privateKey: ephemeral.privateKey,
		publicKey: publicKeyOf(recipient.key)
	});
	const nonce = randomBytes(12);
	const cipher = createCipheriv(
		'aes-256-gcm',
		aeadKey(shared, ephemeralPublicKey, recipient.key),
		nonce
	);
	cipher.setAAD(additionalData(applicationId));
	const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
	return {
		keyId: recipient.id,
		ephemeralPublicKey,
		nonce,
		ciphertext,
		authTag: cipher.getAuthTag()
	};
}

/** Back office only: the number a claimant typed, or an error if it was not sealed for this case. */
export function openIntake(
	keys: MyNumberKey[],
	applicationId: string,
	sealed: SealedIntake
): string {
	const master = keys.find((candidate) => candidate.id === sealed.keyId);
	if (!master) throw new Error(`no key with id ${sealed.keyId} is configured`);
	const privateKey = privateKeyOf(master);
	const shared = diffieHellman({ privateKey, publicKey: publicKeyOf(sealed.ephemeralPublicKey) });
	const decipher = createDecipheriv(
		'aes-256-gcm',
		aeadKey(shared, sealed.ephemeralPublicKey, rawPublic(privateKey)),
		sealed.nonce
	);
	decipher.setAAD(additionalData(applicationId));
	decipher.setAuthTag(sealed.authTag);
	return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]).toString('utf8');
}
