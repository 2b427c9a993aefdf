// A passkey its holder revoked on the portal (issue 27): the revocation travels to the back office
// as an item, and the portal stops the passkey at once, before the back office has taken it in
// and published it revoked. Grants unchanged (the portal's role writes credential_use).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`ALTER TABLE credential_use ADD COLUMN revoked_at timestamptz`.execute(db);
}
