// The passkeys page on the portal zone (issue 27, docs/zones.md § "The passkeys page"): a passkey
// added while signed in travels as an act signed by a passkey the account already has
// (`passkey_add`), verified again here and kept with the others; the published credential now
// carries what the page shows (its name, when it was registered, when it was revoked), so every
// credential is marked to be published again in the new shape. Grants unchanged.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
ALTER TABLE signed_act DROP CONSTRAINT signed_act_kind_check;
ALTER TABLE signed_act ADD CONSTRAINT signed_act_kind_check
	CHECK (kind IN ('submit', 'withdraw', 'answer_return', 'consent', 'desk_request',
		'passkey_add'));

INSERT INTO projection_pending (topic, municipality_code, key)
SELECT 'credential', municipality_code, credential_key FROM webauthn_credential
WHERE resident_account_id IS NOT NULL;
`.execute(db);
}
