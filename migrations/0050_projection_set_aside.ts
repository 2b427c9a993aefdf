// Publications the portal would not take (issue 27, docs/zones.md § "The projection"): a body
// that does not fit the shape both sides read (a name longer than the portal shows, more doses
// than a record holds), or a batch the portal refused. Such a change used to stay marked and be
// sent again every round, holding up every change marked after it. Now it is set aside here: the
// portal is sent the key with no body (the resident is told the page is on its way, never shown an
// older view that may include what was since taken away), the rest goes on, and the staff home
// page says how many wait. A later change to the same key marks it again; once it is published,
// its row here goes.
//
// Grants: the back office's publisher writes and reads it; the portal's role gets nothing.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
CREATE TABLE projection_set_aside (
	topic text NOT NULL,
	key text NOT NULL,
	municipality_code text NOT NULL,
	version bigint NOT NULL,
	reason text NOT NULL CHECK (length(reason) <= 200),
	set_aside_at timestamptz NOT NULL,
	PRIMARY KEY (topic, key)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON projection_set_aside TO vaccination_backoffice;
`.execute(db);
}
