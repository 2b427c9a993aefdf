// A passkey added while signed in (issue 27): the portal gives the options to make it, with a
// challenge it keeps like the others ('register'; the challenge is derived from the account and a
// nonce kept with it, which the act that confirms the passkey carries, so the back office can check
// the passkey was made for this account). Grants unchanged.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
ALTER TABLE webauthn_challenge DROP CONSTRAINT webauthn_challenge_purpose_check;
ALTER TABLE webauthn_challenge ADD CONSTRAINT webauthn_challenge_purpose_check
	CHECK (purpose IN ('register', 'authenticate', 'sign'));
`.execute(db);
}
