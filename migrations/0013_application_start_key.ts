// "Start now" tapped twice (or resent after a dropped connection) opens one draft, not two: the
// start page carries a random key and a draft is created once per applicant and key.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
ALTER TABLE application ADD COLUMN start_key uuid;
CREATE UNIQUE INDEX application_start_key_idx ON application (applicant_account_id, start_key);
`.execute(db);
}
