// Ed25519 keys from the 32-byte seeds our key settings hold ("kid:base64"), and their public
// halves as text. Shared by what signs with them: the audit checkpoints and the exchange's
// requests from the back office to the portal (docs/zones.md).
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';

export type Ed25519Signer = { id: string; privateKey: KeyObject; publicKey: KeyObject };
export type PublicKeys = Map<string, KeyObject>;

// Ed25519 keys as DER: a fixed prefix and the 32 raw bytes (RFC 8410).
const pkcs8Prefix = Buffer.from('302e020100300506032b657004220420', 'hex');
const spkiPrefix = Buffer.from('302a300506032b6570032100', 'hex');

/** The signer for a key setting: its 32 bytes are the Ed25519 seed. */
export function ed25519Signer(spec: { id: string; key: Buffer }): Ed25519Signer {
	const privateKey = createPrivateKey({
		key: Buffer.concat([pkcs8Prefix, spec.key]),
		format: 'der',
		type: 'pkcs8'
	});
	return { id: spec.id, privateKey, publicKey: createPublicKey(privateKey) };
}

/** "kid:base64" of the public key: what a verifier needs, and nothing more. */
export function publicKeyText(signer: Ed25519Signer): string {
	const der = signer.publicKey.export({ format: 'der', type: 'spki' });
	return `${signer.id}:${der.subarray(spkiPrefix.length).toString('base64')}`;
}

/** Public keys as published: "kid:base64", several separated by commas (retired ones too). */
export function parsePublicKeys(text: string): PublicKeys {
	const keys: PublicKeys = new Map();
	for (const item of text.split(',').map((part) => part.trim())) {
		const match = /^([A-Za-z0-9_-]{1,32}):([A-Za-z0-9+/]{43}=)$/.exec(item);
		if (!match) throw new Error('a public key must be kid:base64 of 32 bytes');
		const publicKey = createPublicKey({
			key: Buffer.concat([spkiPrefix, Buffer.from(match[2]!, 'base64')]),
			format: 'der',
			type: 'spki'
		});
		keys.set(match[1]!, publicKey);
	}
	return keys;
}
