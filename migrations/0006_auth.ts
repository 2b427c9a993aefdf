// Sign-in (issue 3): identity proofing (letter codes, desk links, staff links), WebAuthn
// credentials, single-use challenges, sessions for each realm, rate limits kept in the database so
// they hold across app nodes, signed acts, and dated staff role assignments.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
-- A city may accept only certain authenticators, as the My Number Card is one specific one.
ALTER TABLE municipality
	ADD COLUMN passkey_attestation text NOT NULL DEFAULT 'none'
		CHECK (passkey_attestation IN ('none', 'direct')),
	ADD COLUMN passkey_aaguid_allowlist uuid[] NOT NULL DEFAULT '{}',
	ADD COLUMN resident_idle_minutes integer NOT NULL DEFAULT 30 CHECK (resident_idle_minutes BETWEEN 5 AND 60),
	ADD COLUMN resident_absolute_hours integer NOT NULL DEFAULT 12 CHECK (resident_absolute_hours BETWEEN 1 AND 12),
	ADD COLUMN staff_idle_minutes integer NOT NULL DEFAULT 15 CHECK (staff_idle_minutes BETWEEN 5 AND 30),
	ADD COLUMN staff_absolute_hours integer NOT NULL DEFAULT 9 CHECK (staff_absolute_hours BETWEEN 1 AND 12);

-- Failed sign-ins with an unknown credential have no known actor.
ALTER TABLE audit.entry DROP CONSTRAINT entry_actor_type_check;
ALTER TABLE audit.entry ADD CONSTRAINT entry_actor_type_check
	CHECK (actor_type IN ('staff', 'resident', 'system', 'anonymous'));

-- The binding of one registered person to their passkeys. user_handle is 32 random bytes, never
-- derived from personal data (WebAuthn §14.6.1).
CREATE TABLE resident_account (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	municipality_code text NOT NULL,
	atena_number text NOT NULL,
	user_handle bytea NOT NULL UNIQUE CHECK (length(user_handle) = 32),
	created_at timestamptz NOT NULL DEFAULT now(),
	UNIQUE (municipality_code, atena_number),
	FOREIGN KEY (municipality_code, atena_number) REFERENCES resident
);

ALTER TABLE staff_user
	ADD COLUMN user_handle bytea UNIQUE CHECK (length(user_handle) = 32),
	ADD COLUMN created_by uuid REFERENCES staff_user,
	ADD COLUMN deactivated_by uuid REFERENCES staff_user,
	ADD COLUMN deactivation_reason text;
-- Two v4 UUIDs carry 244 bits from PostgreSQL's strong random source; pgcrypto is not needed.
UPDATE staff_user SET user_handle = sha256((gen_random_uuid()::text || gen_random_uuid()::text)::bytea);
ALTER TABLE staff_user ALTER COLUMN user_handle SET NOT NULL;
ALTER TABLE staff_user ALTER COLUMN user_handle
	SET DEFAULT sha256((gen_random_uuid()::text || gen_random_uuid()::text)::bytea);

-- Role assignments have dates (ACL-2, ACL-3); a revoked one stays as history.
ALTER TABLE staff_role DROP CONSTRAINT staff_role_pkey;
ALTER TABLE staff_role
	ADD COLUMN id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	ADD COLUMN valid_from date NOT NULL DEFAULT current_date,
	ADD COLUMN valid_until date,
	ADD COLUMN granted_by uuid REFERENCES staff_user,
	ADD COLUMN grant_reason text,
	ADD COLUMN revoked_at timestamptz,
	ADD COLUMN revoked_by uuid REFERENCES staff_user,
	ADD COLUMN revoke_reason text,
	ADD CONSTRAINT staff_role_dates CHECK (valid_until IS NULL OR valid_from <= valid_until);
CREATE INDEX staff_role_user_idx ON staff_role (staff_user_id) WHERE revoked_at IS NULL;

-- Identity proofing. 'letter': a code mailed to the registered address, used with the birth date.
-- 'desk': a short link handed over at the desk after an in-person check. 'staff': a staff
-- member's first-passkey link. Only the SHA-256 of the secret is kept.
CREATE TABLE enrolment (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	municipality_code text NOT NULL REFERENCES municipality,
	route text NOT NULL CHECK (route IN ('letter', 'desk', 'staff')),
	atena_number text,
	staff_user_id uuid REFERENCES staff_user,
	secret_hash bytea NOT NULL UNIQUE CHECK (length(secret_hash) = 32),
	identity_documents text[] NOT NULL DEFAULT '{}',  -- ID-1..3 seen at the desk
	issued_by uuid REFERENCES staff_user,
	issued_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL,
	failed_attempts integer NOT NULL DEFAULT 0,
	locked_at timestamptz,
	-- Between the code check and the passkey ceremony the enrolment is held by one browser.
	claimed_ceremony_hash bytea,
	claimed_until timestamptz,
	used_at timestamptz,
	cancelled_at timestamptz,
	FOREIGN KEY (municipality_code, atena_number) REFERENCES resident,
	CHECK ((route = 'staff') = (staff_user_id IS NOT NULL)),
	CHECK ((route = 'staff') = (atena_number IS NULL)),
	CHECK (route <> 'desk' OR cardinality(identity_documents) > 0)
);
CREATE INDEX enrolment_resident_idx ON enrolment (municipality_code, atena_number);

CREATE TABLE webauthn_credential (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	credential_id text NOT NULL UNIQUE,              -- base64url, as the authenticator gave it
	municipality_code text NOT NULL REFERENCES municipality,
	resident_account_id uuid REFERENCES resident_account,
	staff_user_id uuid REFERENCES staff_user,
	public_key bytea NOT NULL,                       -- COSE
	sign_count bigint NOT NULL DEFAULT 0,
	transports text[] NOT NULL DEFAULT '{}',
	backup_eligible boolean NOT NULL,
	backup_state boolean NOT NULL,
	aaguid uuid NOT NULL,
	attestation_format text NOT NULL,
	nickname text NOT NULL CHECK (length(nickname) BETWEEN 1 AND 60),
	enrolment_id uuid REFERENCES enrolment,
	created_at timestamptz NOT NULL,
	last_used_at timestamptz,
	consecutive_failures integer NOT NULL DEFAULT 0,
	flagged_at timestamptz,                          -- counter went backwards: a possible clone
	flag_reason text,
	revoked_at timestamptz,
	revoke_reason text,
	CHECK ((resident_account_id IS NULL) <> (staff_user_id IS NULL))
);
CREATE INDEX webauthn_credential_resident_idx ON webauthn_credential (resident_account_id);
CREATE INDEX webauthn_credential_staff_idx ON webauthn_credential (staff_user_id);

-- Challenges live here, not in the library (which only compares them): single use (deleted with
-- DELETE … RETURNING before verification), five minutes, bound to the browser that asked.
CREATE TABLE webauthn_challenge (
	challenge text PRIMARY KEY,                      -- base64url of 32 bytes (or of a payload digest)
	realm text NOT NULL CHECK (realm IN ('resident', 'staff')),
	purpose text NOT NULL CHECK (purpose IN ('register', 'authenticate', 'sign')),
	ceremony_hash bytea NOT NULL,
	subject_id uuid,                                 -- the account or enrolment it is for
	signed_payload text,                             -- purpose 'sign': the canonical payload
	signed_kind text,
	nonce bytea,
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL
);
CREATE INDEX webauthn_challenge_expiry_idx ON webauthn_challenge (expires_at);

-- Sessions (lucia). id is the SHA-256 of the cookie value; the value itself is never stored.
CREATE TABLE resident_session (
	id text PRIMARY KEY,
	resident_account_id uuid NOT NULL REFERENCES resident_account ON DELETE CASCADE,
	credential_id uuid NOT NULL REFERENCES webauthn_credential,
	expires_at timestamptz NOT NULL,
	created_at timestamptz NOT NULL,
	last_active_at timestamptz NOT NULL,
	authenticated_at timestamptz NOT NULL,           -- the last user-verified assertion
	ip text,
	user_agent text
);
CREATE INDEX resident_session_account_idx ON resident_session (resident_account_id);
CREATE TABLE staff_session (
	id text PRIMARY KEY,
	staff_user_id uuid NOT NULL REFERENCES staff_user ON DELETE CASCADE,
	credential_id uuid NOT NULL REFERENCES webauthn_credential,
	expires_at timestamptz NOT NULL,
	created_at timestamptz NOT NULL,
	last_active_at timestamptz NOT NULL,
	authenticated_at timestamptz NOT NULL,
	ip text,
	user_agent text
);
CREATE INDEX staff_session_user_idx ON staff_session (staff_user_id);

-- Fixed-window counters shared by every app node.
CREATE TABLE rate_limit (
	bucket text NOT NULL,
	window_start timestamptz NOT NULL,
	hits integer NOT NULL,
	PRIMARY KEY (bucket, window_start)
);

-- Legally significant acts signed by a fresh assertion over SHA-256(payload ‖ nonce): everything
-- needed to verify the signature again later, from the database alone.
CREATE TABLE signed_act (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	municipality_code text NOT NULL REFERENCES municipality,
	resident_account_id uuid NOT NULL REFERENCES resident_account,
	kind text NOT NULL CHECK (kind IN ('submit', 'withdraw', 'answer_return', 'consent')),
	payload text NOT NULL,                           -- canonical JSON, exactly as signed
	nonce bytea NOT NULL CHECK (length(nonce) = 32),
	digest bytea NOT NULL CHECK (length(digest) = 32),
	credential_id uuid NOT NULL REFERENCES webauthn_credential,
	client_data_json bytea NOT NULL,
	authenticator_data bytea NOT NULL,
	signature bytea NOT NULL,
	user_handle bytea,
	origin text NOT NULL,
	rp_id text NOT NULL,
	signed_at timestamptz NOT NULL
);
CREATE INDEX signed_act_account_idx ON signed_act (resident_account_id, signed_at);
`.execute(db);
}
