import { describe, expect, it } from 'vitest';
import { reasonFromLibraryError } from './failures';

describe('reasonFromLibraryError', () => {
	it('classifies the messages @simplewebauthn/server throws', () => {
		expect(
			reasonFromLibraryError(
				new Error(
					'Unexpected authentication response origin "https://evil.example", expected "http://localhost"'
				)
			)
		).toBe('origin');
		expect(reasonFromLibraryError(new Error('Unexpected RP ID hash'))).toBe('rp_id');
		expect(
			reasonFromLibraryError(
				new Error('User verification required, but user could not be verified')
			)
		).toBe('user_verification');
		expect(
			reasonFromLibraryError(new Error('Response counter value 1 was lower than expected 5'))
		).toBe('counter_regression');
		expect(reasonFromLibraryError(new Error('Unexpected authentication response challenge'))).toBe(
			'challenge_mismatch'
		);
		expect(reasonFromLibraryError('garbage')).toBe('malformed');
	});
});
