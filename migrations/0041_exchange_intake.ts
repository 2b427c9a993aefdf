// The back office's side of the exchange with the portal (issue 27, docs/zones.md): one row per
// portal item taken in, keyed by the portal and the item's sequence number, written in the
// transaction that applies the item. A crash after that commit and before the acknowledgement
// takes the same item again; the key makes the second take a no-op, so each item is applied
// once. A refused item (a signature that does not verify, a credential the back office does not
// hold, content other than what was signed) keeps its reason here, for the auditor, and nothing
// of it is applied.
//
// A signed act taken in is stored by the back office itself (INSERT on signed_act), and an act is
// stored once: its nonce is unique, so an old act sent again as a new item is refused.
//
// Grants: the back office inserts and reads its intake; the portal's role gets nothing (the
// portal never reads what the back office decided, except the outcome it is told).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
CREATE TABLE exchange_intake (
	portal text NOT NULL CHECK (portal ~ '^https?://[^/?#]+$'),
	seq bigint NOT NULL CHECK (seq > 0),
	kind text NOT NULL,
	-- As the item claims it; a forged item may name any account, so no foreign key.
	resident_account_id uuid,
	arrived_at timestamptz NOT NULL,
	taken_at timestamptz NOT NULL,
	outcome text NOT NULL CHECK (outcome IN ('applied', 'refused')),
	refusal text CHECK ((outcome = 'refused') = (refusal IS NOT NULL)),
	signed_act_id uuid REFERENCES signed_act (id),
	PRIMARY KEY (portal, seq)
);
CREATE INDEX exchange_intake_refused ON exchange_intake (taken_at) WHERE outcome = 'refused';

GRANT SELECT, INSERT ON exchange_intake TO vaccination_backoffice;
GRANT INSERT ON signed_act TO vaccination_backoffice;
CREATE UNIQUE INDEX signed_act_nonce_key ON signed_act (nonce);
`.execute(db);
}
