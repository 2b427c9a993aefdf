// Applications on the projection (issue 27, docs/zones.md; back-office migration 0045): a sent
// application's page is published as topic 'application', keyed by its id. Grants unchanged.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
ALTER TABLE projection DROP CONSTRAINT projection_topic_check;
ALTER TABLE projection ADD CONSTRAINT projection_topic_check
	CHECK (topic IN ('account', 'catalogue', 'document', 'application'));
`.execute(db);
}
