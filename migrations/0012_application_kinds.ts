// The other three requests (issue 4): attachments kept in PostgreSQL, 差し戻し with a structured
// list of what to correct, the English-certificate fee as a city setting, the documents issued to
// residents, and an intake box for the 個人番号 a relief claimant types.
//
// 個人番号 intake: the portal process holds no key that can read 個人番号 (DOMAIN.md §1). It
// seals the number to the back office's public key (X25519 + AES-256-GCM) and can only put the
// sealed value through a SECURITY DEFINER function: it has no USAGE on the schema, so it can
// neither read the box nor see whether a number was stored for somebody else.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
CREATE TABLE attachment (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	application_id uuid NOT NULL REFERENCES application ON DELETE CASCADE,
	purpose text NOT NULL,               -- which document of the checklist this is
	content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'application/pdf')),
	file_name text NOT NULL,             -- as the resident's device named it, sanitized
	size_bytes integer NOT NULL CHECK (size_bytes > 0 AND size_bytes <= 10485760),
	sha256 bytea NOT NULL CHECK (length(sha256) = 32),
	content bytea NOT NULL,              -- re-encoded: no EXIF, no document metadata
	created_at timestamptz NOT NULL
);
CREATE INDEX attachment_application_idx ON attachment (application_id, created_at);

-- What the caseworker asked to be corrected, by wizard step; cleared on resubmission.
ALTER TABLE application ADD COLUMN return_items jsonb;
ALTER TABLE application_transition ADD COLUMN items jsonb;

CREATE TABLE issued_document (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	municipality_code text NOT NULL REFERENCES municipality,
	application_id uuid REFERENCES application ON DELETE SET NULL,
	subject_atena_number text NOT NULL,
	kind text NOT NULL,                  -- reissued 予診票, certificate, decision notice …
	document_number text NOT NULL,
	file_name text NOT NULL,
	content bytea NOT NULL,
	issued_at timestamptz NOT NULL,
	FOREIGN KEY (municipality_code, subject_atena_number) REFERENCES resident,
	UNIQUE (municipality_code, document_number)
);
CREATE INDEX issued_document_subject_idx
	ON issued_document (municipality_code, subject_atena_number, issued_at DESC);

ALTER TABLE resident_notice DROP CONSTRAINT resident_notice_kind_check;
ALTER TABLE resident_notice ADD CONSTRAINT resident_notice_kind_check CHECK (kind IN (
	'passkey_added', 'passkey_revoked', 'passkey_flagged',
	'application_received', 'application_withdrawn', 'application_updated',
	'application_returned', 'draft_expired', 'document_issued'));

CREATE TABLE mynumber.application_intake (
	application_id uuid PRIMARY KEY REFERENCES public.application ON DELETE CASCADE,
	key_id text NOT NULL,
	ephemeral_public_key bytea NOT NULL CHECK (length(ephemeral_public_key) = 32),
	nonce bytea NOT NULL CHECK (length(nonce) = 12),
	ciphertext bytea NOT NULL,
	auth_tag bytea NOT NULL CHECK (length(auth_tag) = 16),
	received_at timestamptz NOT NULL
);
REVOKE ALL ON mynumber.application_intake FROM PUBLIC;
GRANT SELECT, DELETE ON mynumber.application_intake TO vaccination_backoffice;

CREATE FUNCTION public.put_mynumber_intake(
	p_application_id uuid, p_key_id text, p_ephemeral bytea, p_nonce bytea, p_ciphertext bytea,
	p_auth_tag bytea
) RETURNS boolean
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
	INSERT INTO mynumber.application_intake AS box
		(application_id, key_id, ephemeral_public_key, nonce, ciphertext, auth_tag, received_at)
	SELECT p_application_id, p_key_id, p_ephemeral, p_nonce, p_ciphertext, p_auth_tag, now()
	FROM public.application a
	WHERE a.id = p_application_id AND a.kind = 'relief' AND a.status IN ('draft', 'returned')
	ON CONFLICT (application_id) DO UPDATE SET key_id = excluded.key_id,
		ephemeral_public_key = excluded.ephemeral_public_key, nonce = excluded.nonce,
		ciphertext = excluded.ciphertext, auth_tag = excluded.auth_tag,
		received_at = excluded.received_at
	RETURNING true
$$;
REVOKE ALL ON FUNCTION public.put_mynumber_intake(uuid, text, bytea, bytea, bytea, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION public.put_mynumber_intake(uuid, text, bytea, bytea, bytea, bytea)
	TO vaccination_portal, vaccination_backoffice;
`.execute(db);
}
