import { describe, expect, it } from 'vitest';
import { formatLetterCode, newLetterCode, normalizeLetterCode, sha256 } from './tokens';

describe('letter codes', () => {
	it('are 16 Crockford characters in four groups, and differ every time', () => {
		const codes = new Set(Array.from({ length: 1000 }, newLetterCode));
		expect(codes.size).toBe(1000);
		for (const code of codes)
			expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/);
	});

	it('use every character of the alphabet (80 bits, not fewer)', () => {
		const seen = new Set(Array.from({ length: 500 }, newLetterCode).join('').replace(/-/g, ''));
		expect(seen.size).toBe(32);
	});

	it('accept what people type: full width, lower case, spaces, look-alike letters', () => {
		const code = newLetterCode();
		const compact = code.replace(/-/g, '');
		expect(normalizeLetterCode(code)).toBe(compact);
		expect(normalizeLetterCode(code.toLowerCase().replace(/-/g, ' '))).toBe(compact);
		const fullWidth = compact.replace(/[0-9A-Z]/g, (c) =>
			String.fromCharCode(c.charCodeAt(0) + 0xfee0)
		);
		expect(normalizeLetterCode(fullWidth)).toBe(compact);
		expect(normalizeLetterCode('OOOO-IIII-LLLL-0000')).toBe('0000111111110000');
		expect(formatLetterCode(compact)).toBe(code);
	});

	it('reject what cannot be a code', () => {
		expect(normalizeLetterCode('')).toBeNull();
		expect(normalizeLetterCode('ABCD-EFGH-JKMN')).toBeNull();
		expect(normalizeLetterCode('ABCD-EFGH-JKMN-PQRU')).toBeNull();
		expect(normalizeLetterCode('ABCD-EFGH-JKMN-PQRS-T')).toBeNull();
	});

	it('are stored as a 32-byte hash', () => {
		expect(sha256('x')).toHaveLength(32);
	});
});
