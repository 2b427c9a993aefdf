// The public pages (issue 27): a certificate's verification as the back office publishes it (topic
// 'verification', keyed by the document), found by the short code printed on it or the long id of
// older certificates, and a city's public document-signing keys (topic 'keys'). Grants unchanged
// (the projection's).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
ALTER TABLE projection DROP CONSTRAINT projection_topic_check;
ALTER TABLE projection ADD CONSTRAINT projection_topic_check
	CHECK (topic IN ('account', 'catalogue', 'document', 'application', 'access', 'city',
		'credential', 'verification', 'keys'));
CREATE INDEX projection_verification_code ON projection ((body->>'code'))
	WHERE topic = 'verification';
CREATE INDEX projection_verification_id ON projection ((body->>'verifyId'))
	WHERE topic = 'verification';
`.execute(db);
}
