// Residents' passkeys on the projection (issue 27, docs/zones.md § "Sign-in on the portal zone"):
// the portal verifies a sign-in against the credentials the back office confirmed and published
// (topic 'credential'), keeps its sessions, challenges and rate limits in its own database, and no
// longer reads this one to let anyone in.
//
// The key is the SHA-256 of the WebAuthn credential id, base64url (43 characters): the id the
// browser names runs to 1,023 bytes, a key to 64. `credential_key` holds it, a generated column,
// so every path that adds a credential (an enrolment, the desk, the demo) has it.
//
// What marks a credential: the credential itself (confirmed, revoked, flagged, renamed), and a
// change of its holder's residence status (a person who moved out or died may not sign in; their
// credentials are published as inactive, and the portal ends their sessions).
//
// resident_session leaves this database: a resident's session is the portal's own (portal
// migration 0010). Staff sessions stay here. Grants: the new column follows the table's; the new
// functions are the owner's, EXECUTE from nobody.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
ALTER TABLE projection_pending DROP CONSTRAINT projection_pending_topic_check;
ALTER TABLE projection_pending ADD CONSTRAINT projection_pending_topic_check
	CHECK (topic IN ('account', 'catalogue', 'document', 'application', 'access', 'city',
		'credential'));

-- decode(…, 'escape') is the id's bytes (a base64url id holds no backslash), and immutable.
ALTER TABLE webauthn_credential ADD COLUMN credential_key text NOT NULL GENERATED ALWAYS AS
	(rtrim(translate(encode(sha256(decode(credential_id, 'escape')), 'base64'), '+/', '-_'), '='))
	STORED;
CREATE UNIQUE INDEX webauthn_credential_key_idx ON webauthn_credential (credential_key);
CREATE INDEX webauthn_credential_account_idx ON webauthn_credential (resident_account_id)
	WHERE resident_account_id IS NOT NULL;

CREATE FUNCTION projection_mark_credential() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	INSERT INTO public.projection_pending (topic, municipality_code, key)
	SELECT DISTINCT 'credential', municipality_code, credential_key
	FROM changed WHERE resident_account_id IS NOT NULL;
	RETURN NULL;
END $$;
CREATE TRIGGER webauthn_credential_projection_insert AFTER INSERT ON webauthn_credential
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION projection_mark_credential();
CREATE TRIGGER webauthn_credential_projection_update AFTER UPDATE ON webauthn_credential
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION projection_mark_credential();
REVOKE ALL ON FUNCTION projection_mark_credential() FROM PUBLIC;

-- Only a change of status marks: a 住基 import rewrites many rows, few of them move out.
CREATE FUNCTION projection_mark_holder_credentials() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	INSERT INTO public.projection_pending (topic, municipality_code, key)
	SELECT DISTINCT 'credential', credential.municipality_code, credential.credential_key
	FROM changed
	JOIN before ON before.municipality_code = changed.municipality_code
		AND before.atena_number = changed.atena_number
	JOIN public.resident_account account ON account.municipality_code = changed.municipality_code
		AND account.atena_number = changed.atena_number
	JOIN public.webauthn_credential credential ON credential.resident_account_id = account.id
	WHERE before.status IS DISTINCT FROM changed.status;
	RETURN NULL;
END $$;
CREATE TRIGGER resident_projection_credentials AFTER UPDATE ON resident
	REFERENCING OLD TABLE AS before NEW TABLE AS changed
	FOR EACH STATEMENT EXECUTE FUNCTION projection_mark_holder_credentials();
REVOKE ALL ON FUNCTION projection_mark_holder_credentials() FROM PUBLIC;

INSERT INTO projection_pending (topic, municipality_code, key)
SELECT 'credential', municipality_code, credential_key FROM webauthn_credential
WHERE resident_account_id IS NOT NULL;

DROP TABLE resident_session;
`.execute(db);
}
