// Why a sign-in step failed. The reason goes to the audit log (LOG-2); the person sees one generic,
// localized message, so a failure never tells an attacker which check caught them.
export const authFailureReasons = [
	'malformed',
	'rate_limited',
	'challenge_unknown',
	'challenge_expired',
	'challenge_mismatch',
	'origin',
	'rp_id',
	'user_verification',
	'signature',
	'counter_regression',
	'backup_eligibility',
	'attestation',
	'credential_unknown',
	'credential_revoked',
	'credential_flagged',
	'credential_owner',
	'credential_duplicate',
	'account_inactive',
	'code_invalid',
	'code_locked',
	'code_expired',
	'code_used',
	'enrolment_missing',
	'verification_failed'
] as const;

export type AuthFailureReason = (typeof authFailureReasons)[number];

export class AuthFailure extends Error {
	override name = 'AuthFailure';
	constructor(
		readonly reason: AuthFailureReason,
		/** Internal detail for the server log only; never shown to the user. */
		readonly detail?: string
	) {
		super(`authentication failed: ${reason}${detail ? ` (${detail})` : ''}`);
	}
}

/**
 * Maps an error thrown by @simplewebauthn/server to a reason. Its messages embed the expected
 * values (challenge, origin), so they are logged as a reason code, never passed on.
 */
export function reasonFromLibraryError(error: unknown): AuthFailureReason {
	const message = error instanceof Error ? error.message : String(error);
	if (/origin/i.test(message)) return 'origin';
	if (/RP ID|rpIdHash/i.test(message)) return 'rp_id';
	if (/user verification/i.test(message)) return 'user_verification';
	if (/counter/i.test(message)) return 'counter_regression';
	if (/challenge/i.test(message)) return 'challenge_mismatch';
	if (/backup/i.test(message)) return 'backup_eligibility';
	if (/attestation|certificate|x5c|aaguid/i.test(message)) return 'attestation';
	if (/signature/i.test(message)) return 'signature';
	return 'malformed';
}
