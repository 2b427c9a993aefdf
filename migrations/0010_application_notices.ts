// The portal inbox also tells residents about their applications (received, withdrawn, and from
// the back office on: returned, decided). Still only a kind, a time and the application — the
// text is rendered in the reader's language and names no person.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
ALTER TABLE resident_notice DROP CONSTRAINT resident_notice_kind_check;
ALTER TABLE resident_notice ADD CONSTRAINT resident_notice_kind_check CHECK (kind IN (
	'passkey_added', 'passkey_revoked', 'passkey_flagged',
	'application_received', 'application_withdrawn', 'application_updated'));
ALTER TABLE resident_notice ADD COLUMN application_id uuid REFERENCES application ON DELETE CASCADE;
`.execute(db);
}
