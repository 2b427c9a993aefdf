// The public pages on the portal zone (issue 27, docs/zones.md § "The public pages"): what a
// printed certificate's address shows — its status, the facts printed on it, its SMART Health
// Cards — is published (topic 'verification', keyed by the document), and so are the city's
// public document-signing keys that verifiers fetch from <issuer>/.well-known/jwks.json (topic
// 'keys', keyed by the city); the portal answers from those alone, and each look-up travels back
// as an item and is audited here as before. A certificate is marked when it is issued and when its
// status changes (superseded, revoked); a city's keys when one is made or retired.
// Grants: the new functions are the owner's, EXECUTE from nobody; the portal's role no longer
// reads issued_document (its resident pages read released documents from the projection
// already) nor document_signing_key.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
ALTER TABLE projection_pending DROP CONSTRAINT projection_pending_topic_check;
ALTER TABLE projection_pending ADD CONSTRAINT projection_pending_topic_check
	CHECK (topic IN ('account', 'catalogue', 'document', 'application', 'access', 'city',
		'credential', 'verification', 'keys'));

CREATE FUNCTION projection_mark_verification() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	INSERT INTO public.projection_pending (topic, municipality_code, key)
	SELECT 'verification', municipality_code, id::text
	FROM changed WHERE verify_summary IS NOT NULL;
	RETURN NULL;
END $$;
CREATE TRIGGER issued_document_verification_insert AFTER INSERT ON issued_document
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT
	EXECUTE FUNCTION projection_mark_verification();
CREATE TRIGGER issued_document_verification_update AFTER UPDATE ON issued_document
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT
	EXECUTE FUNCTION projection_mark_verification();
REVOKE ALL ON FUNCTION projection_mark_verification() FROM PUBLIC;

INSERT INTO projection_pending (topic, municipality_code, key)
SELECT 'verification', municipality_code, id::text FROM issued_document
WHERE verify_summary IS NOT NULL;

CREATE FUNCTION projection_mark_signing_keys() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	INSERT INTO public.projection_pending (topic, municipality_code, key)
	SELECT DISTINCT 'keys', municipality_code, municipality_code FROM changed;
	RETURN NULL;
END $$;
CREATE TRIGGER document_signing_key_projection_insert AFTER INSERT ON document_signing_key
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT
	EXECUTE FUNCTION projection_mark_signing_keys();
CREATE TRIGGER document_signing_key_projection_update AFTER UPDATE ON document_signing_key
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT
	EXECUTE FUNCTION projection_mark_signing_keys();
REVOKE ALL ON FUNCTION projection_mark_signing_keys() FROM PUBLIC;

INSERT INTO projection_pending (topic, municipality_code, key)
SELECT DISTINCT 'keys', municipality_code, municipality_code FROM document_signing_key;

REVOKE SELECT ON issued_document FROM vaccination_portal;
REVOKE SELECT (created_at, kid, municipality_code, public_jwk, retired_at)
	ON document_signing_key FROM vaccination_portal;
`.execute(db);
}
