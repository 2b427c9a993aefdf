// E-mail for portal notices, through an outbox written in the same transaction as the notice
// (nothing is sent for a change that rolled back, nothing is lost if the mail server is down).
// The text names no person and no case detail: "there is an update; sign in to see it".
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
CREATE TABLE email_outbox (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	municipality_code text NOT NULL REFERENCES municipality,
	to_address text NOT NULL,
	subject text NOT NULL,
	body text NOT NULL,
	created_at timestamptz NOT NULL,
	sent_at timestamptz,
	attempts integer NOT NULL DEFAULT 0,
	last_error text
);
CREATE INDEX email_outbox_pending_idx ON email_outbox (created_at) WHERE sent_at IS NULL;
`.execute(db);
}
