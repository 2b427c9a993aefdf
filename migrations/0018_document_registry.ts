// The document registry (issue 6): every issued PDF keeps its exact bytes (a reprint is the same
// file) and their SHA-256, who issued and who approved it, and a status — valid, superseded by a
// reissue, or revoked (a revocation asked for by one person and approved by another). A
// certificate carries a SMART Health Card signed with the city's key; the public keys stay
// published after rotation so older certificates still verify.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
CREATE SEQUENCE issued_document_number_seq;

ALTER TABLE issued_document
	ADD COLUMN sha256 bytea GENERATED ALWAYS AS (sha256(content)) STORED,
	ADD COLUMN language text NOT NULL DEFAULT 'ja' CHECK (language IN ('ja', 'en')),
	ADD COLUMN issued_by text,                  -- staff id, or 'system:<job>'
	ADD COLUMN approved_by text,
	ADD COLUMN status text NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'superseded', 'revoked')),
	ADD COLUMN status_changed_at timestamptz,
	ADD COLUMN status_reason text,
	ADD COLUMN supersedes uuid UNIQUE REFERENCES issued_document,
	ADD COLUMN verify_id text UNIQUE CHECK (verify_id ~ '^[A-Za-z0-9_-]{22,}$'),
	ADD COLUMN verify_summary jsonb,            -- what the public verify page may show
	ADD COLUMN signing_kid text,
	ADD COLUMN health_card text CHECK (health_card ~ '^shc:/[0-9]+$'),
	ADD CONSTRAINT issued_document_approval CHECK (approved_by IS NULL OR approved_by <> issued_by),
	ADD CONSTRAINT issued_document_status CHECK ((status = 'valid') = (status_changed_at IS NULL));

-- The bytes, their number and whom they are about never change once issued; only the status may.
CREATE FUNCTION refuse_issued_document_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF (NEW.content, NEW.document_number, NEW.subject_atena_number, NEW.kind, NEW.issued_at,
	    NEW.issued_by, NEW.approved_by, NEW.verify_id, NEW.health_card, NEW.verify_summary)
	   IS DISTINCT FROM
	   (OLD.content, OLD.document_number, OLD.subject_atena_number, OLD.kind, OLD.issued_at,
	    OLD.issued_by, OLD.approved_by, OLD.verify_id, OLD.health_card, OLD.verify_summary) THEN
		RAISE EXCEPTION 'an issued document is never rewritten' USING ERRCODE = 'check_violation';
	END IF;
	IF OLD.status <> 'valid' AND NEW.status IS DISTINCT FROM OLD.status THEN
		RAISE EXCEPTION 'a superseded or revoked document stays so' USING ERRCODE = 'check_violation';
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER issued_document_once BEFORE UPDATE ON issued_document
	FOR EACH ROW EXECUTE FUNCTION refuse_issued_document_rewrite();

CREATE TABLE document_revocation (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	municipality_code text NOT NULL,
	document_id uuid NOT NULL REFERENCES issued_document,
	reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 400),
	requested_by text NOT NULL,
	requested_at timestamptz NOT NULL,
	decision text CHECK (decision IN ('revoked', 'declined')),
	decided_by text,
	decided_at timestamptz,
	decision_note text CHECK (length(decision_note) <= 400),
	CHECK ((decision IS NULL) = (decided_by IS NULL) AND (decision IS NULL) = (decided_at IS NULL)),
	CHECK (decided_by IS NULL OR decided_by <> requested_by)
);
CREATE UNIQUE INDEX document_revocation_open_idx ON document_revocation (document_id)
	WHERE decision IS NULL;

-- ES256 keys for SMART Health Cards. The private key is sealed with DOCUMENT_KEY (AES-256-GCM);
-- the portal may read the public half only.
CREATE TABLE document_signing_key (
	kid text PRIMARY KEY,                       -- RFC 7638 thumbprint, as SMART Health Cards require
	municipality_code text NOT NULL REFERENCES municipality,
	public_jwk jsonb NOT NULL,
	sealing_key_id text NOT NULL,
	sealed_private bytea NOT NULL,              -- nonce (12) ‖ tag (16) ‖ ciphertext of PKCS#8 DER
	created_at timestamptz NOT NULL,
	retired_at timestamptz
);
CREATE UNIQUE INDEX document_signing_key_active_idx ON document_signing_key (municipality_code)
	WHERE retired_at IS NULL;
REVOKE ALL ON document_signing_key FROM vaccination_portal;
GRANT SELECT (kid, municipality_code, public_jwk, created_at, retired_at)
	ON document_signing_key TO vaccination_portal;
`.execute(db);
}
