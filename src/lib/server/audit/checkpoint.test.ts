import { randomBytes, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ed25519Signer, parsePublicKeys, publicKeyText } from '../crypto/ed25519';
import { checkpointKeys } from './checkpoint';

describe('checkpoint keys', () => {
	const seed = { id: 'cp2026', key: randomBytes(32) };

	it('derives the same Ed25519 key from the same seed, and publishes only its public half', () => {
		const signer = ed25519Signer(seed);
		expect(publicKeyText(ed25519Signer(seed))).toBe(publicKeyText(signer));
		expect(publicKeyText(signer)).toMatch(/^cp2026:[A-Za-z0-9+/]{43}=$/);
		expect(publicKeyText(signer)).not.toContain(seed.key.toString('base64'));
		const signature = sign(null, Buffer.from('head'), signer.privateKey);
		const published = parsePublicKeys(publicKeyText(signer)).get('cp2026')!;
		expect(verify(null, Buffer.from('head'), published, signature)).toBe(true);
		expect(verify(null, Buffer.from('other'), published, signature)).toBe(false);
	});

	it('reads several published keys and adds the signer’s own', () => {
		const retired = ed25519Signer({ id: 'cp2025', key: randomBytes(32) });
		const keys = checkpointKeys(seed, publicKeyText(retired));
		expect([...keys.keys()]).toEqual(['cp2025', 'cp2026']);
		expect(checkpointKeys(undefined, undefined).size).toBe(0);
	});

	it('refuses a published key that is not kid:base64 of 32 bytes', () => {
		expect(() => parsePublicKeys('cp2026')).toThrow(/kid:base64/);
		expect(() => parsePublicKeys(`cp2026:${randomBytes(16).toString('base64')}`)).toThrow(
			/kid:base64/
		);
	});
});
