import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { blindIndex, InvalidMyNumberError, openMyNumber, sealMyNumber } from './cipher';

const key = { id: 'k1', key: randomBytes(32) };
const row = { municipalityCode: '139998', atenaNumber: '100001' };

describe('個人番号 field encryption', () => {
	it('round-trips and never stores the digits in the clear', () => {
		const sealed = sealMyNumber(key, row, '123456789018');
		expect(sealed.ciphertext.toString('utf8')).not.toContain('123456789018');
		expect(openMyNumber([key], row, sealed)).toBe('123456789018');
	});

	it('uses a fresh nonce each time but a stable blind index', () => {
		const a = sealMyNumber(key, row, '123456789018');
		const b = sealMyNumber(key, row, '123456789018');
		expect(a.nonce.equals(b.nonce)).toBe(false);
		expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
		expect(a.blindIndex.equals(b.blindIndex)).toBe(true);
		expect(blindIndex(key, '139999', '123456789018').equals(a.blindIndex)).toBe(false);
	});

	it('refuses a ciphertext moved to another row', () => {
		const sealed = sealMyNumber(key, row, '123456789018');
		expect(() => openMyNumber([key], { ...row, atenaNumber: '100002' }, sealed)).toThrow();
	});

	it('refuses a wrong key and a tampered ciphertext', () => {
		const sealed = sealMyNumber(key, row, '123456789018');
		expect(() => openMyNumber([{ id: 'k1', key: randomBytes(32) }], row, sealed)).toThrow();
		const flipped = Buffer.from(sealed.ciphertext);
		flipped[0]! ^= 1;
		expect(() => openMyNumber([key], row, { ...sealed, ciphertext: flipped })).toThrow();
	});

	it('refuses an invalid number without echoing it', () => {
		expect(() => sealMyNumber(key, row, '123456789017')).toThrow(InvalidMyNumberError);
		expect(() => sealMyNumber(key, row, '123456789017')).not.toThrow(/123456789017/);
	});
});
