// The division handling vaccination affairs answers for its own decisions: notices on requests
// and relief name it and its telephone number as the contact, not the privacy desk (issue 25).
// Until a city enters it, the desk's number is printed. Grants: the column inherits the table's.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`ALTER TABLE municipality ADD COLUMN division_phone text CHECK (division_phone ~ '^[0-9-]{10,13}$')`.execute(
		db
	);
}
