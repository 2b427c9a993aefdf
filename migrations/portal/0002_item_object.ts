// Items about one thing (issue 27, step 3): a submission or withdrawal names the application it
// is for, so the portal can show "sent, the city is receiving it" on that application's page and
// send a double tap only once. The name is the portal's index only: the back office reads which
// application an act is for from what the resident signed, never from this column.
//
// A third outcome: 'moved' — the act verified, but the application had moved on by the time the
// back office took it in (another tab withdrew it, a second submission of the same draft), so
// nothing was applied and nothing is suspicious. 'refused' stays for what did not verify.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
ALTER TABLE exchange_item ADD COLUMN object_id text CHECK (object_id ~ '^[0-9a-f-]{36}$');
-- The resident's items about one thing, newest first (the application page's "sent").
CREATE INDEX exchange_item_object ON exchange_item (resident_account_id, object_id, seq)
	WHERE object_id IS NOT NULL;
-- One waiting item per thing: a double tap or a second tab sends nothing more.
CREATE UNIQUE INDEX exchange_item_object_waiting ON exchange_item (object_id)
	WHERE taken_at IS NULL AND object_id IS NOT NULL;
ALTER TABLE exchange_item DROP CONSTRAINT exchange_item_outcome_check;
ALTER TABLE exchange_item ADD CONSTRAINT exchange_item_outcome_check
	CHECK (outcome IN ('applied', 'refused', 'moved'));
`.execute(db);
}
