// Secrets handed to people (letter codes, links, session ids) and how they are stored: only the
// SHA-256. A fast hash is right here because every secret carries ≥ 80 bits from the CSPRNG;
// there is nothing to brute-force offline.
import { createHash, randomBytes } from 'node:crypto';

export function sha256(value: string | Uint8Array): Buffer {
	return createHash('sha256').update(value).digest();
}

export function randomToken(bytes = 32): string {
	return randomBytes(bytes).toString('base64url');
}

// Crockford base32: no I, L, O or U, so a code read off paper cannot be mistyped into another.
const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** 80 bits as 16 characters, e.g. "7K3M-Q9TD-2XHB-WR5F". */
export function newLetterCode(): string {
	const bytes = randomBytes(10);
	let bits = 0n;
	for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
	let code = '';
	for (let index = 15; index >= 0; index--)
		code += alphabet[Number((bits >> BigInt(index * 5)) & 31n)];
	return formatLetterCode(code);
}

export function formatLetterCode(code: string): string {
	return code.match(/.{1,4}/g)!.join('-');
}

/**
 * What a person typed, as the canonical 16 characters, or null when it cannot be a code.
 * Accepts full-width characters, lower case, spaces and hyphens, and the letters people confuse
 * with digits (O → 0, I/L → 1).
 */
export function normalizeLetterCode(input: string): string | null {
	const compact = input
		.normalize('NFKC')
		.toUpperCase()
		.replace(/[\s\-‐‑–—ー]/g, '')
		.replace(/O/g, '0')
		.replace(/[IL]/g, '1');
	if (compact.length !== 16) return null;
	for (const character of compact) if (!alphabet.includes(character)) return null;
	return compact;
}
