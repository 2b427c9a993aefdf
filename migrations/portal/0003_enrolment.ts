// Enrolment through the exchange (issue 27, step 3). The portal no longer checks a letter code or
// a desk link: it forwards the claim, and the back office — which issued the code — checks it and
// answers; the passkey the resident then makes is forwarded too, and the back office verifies it
// against the challenge it gave and confirms it. So:
//
// exchange_item.resident_account_id may be empty: a claim comes from nobody's account yet.
// exchange_item.answer: what the back office answered with the item's outcome (a claim's options,
// a registration's account); written once, with the outcome.
//
// enrolment_attempt: which browser (the hash of its ceremony cookie) made which claim, so the
// page that follows the claim finds it, and so the session an enrolment ends in is started once.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
ALTER TABLE exchange_item ALTER COLUMN resident_account_id DROP NOT NULL;
ALTER TABLE exchange_item ADD COLUMN answer jsonb;
ALTER TABLE exchange_item ADD CONSTRAINT exchange_item_answer_taken
	CHECK (answer IS NULL OR taken_at IS NOT NULL);

CREATE TABLE enrolment_attempt (
	claim_id uuid PRIMARY KEY,
	ceremony_hash bytea NOT NULL CHECK (length(ceremony_hash) = 32),
	started_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL,
	signed_in_at timestamptz
);
CREATE INDEX enrolment_attempt_browser ON enrolment_attempt (ceremony_hash, started_at);
CREATE INDEX enrolment_attempt_expiry ON enrolment_attempt (expires_at);

GRANT UPDATE (answer) ON exchange_item TO vaccination_portal;
-- The portal sweeps attempts past their claim's lifetime; the session is started once.
GRANT SELECT, INSERT, DELETE ON enrolment_attempt TO vaccination_portal;
GRANT UPDATE (signed_in_at) ON enrolment_attempt TO vaccination_portal;
`.execute(db);
}
