// Residents see who accessed their records (issue 4, "who looked at my data"). By default staff
// are shown by role and department only; a city may choose to show names.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
ALTER TABLE municipality ADD COLUMN access_log_shows_staff_names boolean NOT NULL DEFAULT false;
`.execute(db);
}
