// The city's settings on the projection (issue 27, docs/zones.md; back-office migration 0048):
// topic 'city', keyed by the municipality code. Grants unchanged.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
ALTER TABLE projection DROP CONSTRAINT projection_topic_check;
ALTER TABLE projection ADD CONSTRAINT projection_topic_check
	CHECK (topic IN ('account', 'catalogue', 'document', 'application', 'access', 'city'));
`.execute(db);
}
