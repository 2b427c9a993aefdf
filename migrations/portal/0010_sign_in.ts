// Signing in on the portal zone (issue 27, docs/zones.md; back-office migration 0049): residents'
// passkeys arrive as topic 'credential' (keyed by the SHA-256 of the credential id), and what a
// sign-in writes is the portal's own:
//
// resident_session: lucia's sessions, the id the SHA-256 of the cookie value; the account and the
//   credential (its back-office id, as published) that opened it; no 宛名番号.
// webauthn_challenge: the challenges this portal gave (sign-in and signed acts), taken out before
//   anything is verified.
// rate_limit: fixed-window counters (per address, per account), so a limit holds across nodes.
// credential_use: the portal's own view of each credential's use: the highest signature counter
//   it has seen (a regression flags the credential here and is reported to the back office, which
//   keeps its own counter), consecutive failures, the last use.
//
// Grants: the portal's role reads and writes all four (they are its working state); the
// projection stays written only through the back office's signed publication.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
ALTER TABLE projection DROP CONSTRAINT projection_topic_check;
ALTER TABLE projection ADD CONSTRAINT projection_topic_check
	CHECK (topic IN ('account', 'catalogue', 'document', 'application', 'access', 'city',
		'credential'));
-- The passkeys of an account (signing an act lists them for the browser).
CREATE INDEX projection_credential_account ON projection ((body->>'account'))
	WHERE topic = 'credential';

CREATE TABLE resident_session (
	id text PRIMARY KEY,
	resident_account_id uuid NOT NULL,
	municipality_code text NOT NULL,
	credential_id uuid NOT NULL,
	expires_at timestamptz NOT NULL,
	created_at timestamptz NOT NULL,
	last_active_at timestamptz NOT NULL,
	authenticated_at timestamptz NOT NULL,
	ip text,
	user_agent text
);
CREATE INDEX resident_session_account_idx ON resident_session (resident_account_id);
CREATE INDEX resident_session_credential_idx ON resident_session (credential_id);

CREATE TABLE webauthn_challenge (
	challenge text PRIMARY KEY,
	realm text NOT NULL CHECK (realm = 'resident'),
	purpose text NOT NULL CHECK (purpose IN ('authenticate', 'sign')),
	ceremony_hash bytea NOT NULL,
	subject_id uuid,
	signed_payload text,
	signed_kind text,
	nonce bytea,
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL
);
CREATE INDEX webauthn_challenge_expiry_idx ON webauthn_challenge (expires_at);

CREATE TABLE rate_limit (
	bucket text NOT NULL,
	window_start timestamptz NOT NULL,
	hits integer NOT NULL,
	PRIMARY KEY (bucket, window_start)
);

CREATE TABLE credential_use (
	credential_id uuid PRIMARY KEY,
	sign_count bigint NOT NULL CHECK (sign_count >= 0),
	backup_state boolean,
	last_used_at timestamptz,
	consecutive_failures integer NOT NULL DEFAULT 0,
	flagged_at timestamptz,
	flag_reason text CHECK (flag_reason IN ('counter_regression', 'too_many_failures'))
);

GRANT SELECT, INSERT, UPDATE, DELETE ON resident_session, webauthn_challenge, rate_limit,
	credential_use TO vaccination_portal;
`.execute(db);
}
