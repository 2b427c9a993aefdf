import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { myNumberCheckDigit } from './check-digit';
import { intakePublicKey, openIntake, sealIntake } from './intake';

const master = { id: 'k1', key: randomBytes(32) };
const number = (first11: string) => `${first11}${myNumberCheckDigit(first11)}`;

describe('個人番号 intake sealing', () => {
	it('opens with the back-office key what the portal sealed with the public half only', () => {
		const value = number('12345678901');
		const sealed = sealIntake(intakePublicKey(master), 'app-1', value);
		expect(sealed.ciphertext.toString('utf8')).not.toContain(value);
		expect(openIntake([master], 'app-1', sealed)).toBe(value);
	});

	it('derives the same public key from the same master key, another from another', () => {
		expect(intakePublicKey(master).key.equals(intakePublicKey(master).key)).toBe(true);
		const other = { id: 'k1', key: randomBytes(32) };
		expect(intakePublicKey(other).key.equals(intakePublicKey(master).key)).toBe(false);
	});

	it('refuses a sealed value moved to another application or opened with another key', () => {
		const sealed = sealIntake(intakePublicKey(master), 'app-1', number('98765432109'));
		expect(() => openIntake([master], 'app-2', sealed)).toThrow();
		expect(() => openIntake([{ id: 'k1', key: randomBytes(32) }], 'app-1', sealed)).toThrow();
	});

	it('refuses a number whose check digit is wrong, without echoing it', () => {
		const valid = number('11112222333');
		const wrong = `${valid.slice(0, 11)}${(Number(valid[11]) + 1) % 10}`;
		expect(() => sealIntake(intakePublicKey(master), 'app-1', wrong)).toThrow(/^(?!.*\d{12})/);
	});
});
