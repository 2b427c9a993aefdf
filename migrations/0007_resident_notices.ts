// Notices to residents in the portal about their own account (research §6 A.13): a passkey was
// added or revoked, or stopped as a possible copy. Only the kind and the time are stored; the text
// is rendered in the reader's language and carries no personal data.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
CREATE TABLE resident_notice (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	municipality_code text NOT NULL REFERENCES municipality,
	resident_account_id uuid NOT NULL REFERENCES resident_account ON DELETE CASCADE,
	kind text NOT NULL CHECK (kind IN ('passkey_added', 'passkey_revoked', 'passkey_flagged')),
	created_at timestamptz NOT NULL,
	read_at timestamptz
);
CREATE INDEX resident_notice_account_idx ON resident_notice (resident_account_id, created_at DESC);
`.execute(db);
}
