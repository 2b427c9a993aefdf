import { describe, expect, it } from 'vitest';
import { findMyNumbers, isValidMyNumber, myNumberCheckDigit } from './check-digit';

describe('個人番号 check digit', () => {
	it('accepts the worked example 123456789018', () => {
		expect(myNumberCheckDigit('12345678901')).toBe(8);
		expect(isValidMyNumber('123456789018')).toBe(true);
	});

	it('rejects every other last digit', () => {
		for (let digit = 0; digit <= 9; digit++) {
			if (digit === 8) continue;
			expect(isValidMyNumber(`12345678901${digit}`)).toBe(false);
		}
	});

	it('uses 0 when the remainder is 0 or 1', () => {
		// 00000000000: sum 0, remainder 0 → 0.
		expect(myNumberCheckDigit('00000000000')).toBe(0);
		// 10000000000: P11 = 1, weight 6 → sum 6, remainder 6 → 5.
		expect(myNumberCheckDigit('10000000000')).toBe(5);
		// 00000000050: P2 = 5, weight 3 → 15, remainder 4 → 7.
		expect(myNumberCheckDigit('00000000050')).toBe(7);
		// 00000100000: P6 = 1, weight 7 → 7, remainder 7 → 4; 00000000300: P3 = 3 ×4 = 12 → rem 1 → 0.
		expect(myNumberCheckDigit('00000100000')).toBe(4);
		expect(myNumberCheckDigit('00000000300')).toBe(0);
	});

	it('rejects wrong lengths and non-digits', () => {
		expect(isValidMyNumber('12345678901')).toBe(false);
		expect(isValidMyNumber('1234567890188')).toBe(false);
		expect(isValidMyNumber('12345678901８')).toBe(false);
		expect(isValidMyNumber('1234 5678 9018')).toBe(false);
	});

	it('finds valid numbers inside text but not longer digit runs', () => {
		expect(findMyNumbers('番号 123456789018 です')).toEqual(['123456789018']);
		expect(findMyNumbers('1234567890180')).toEqual([]);
		expect(findMyNumbers('123456789017')).toEqual([]);
	});
});
