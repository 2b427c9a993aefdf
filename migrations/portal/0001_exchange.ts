// The portal's own database (issue 27, docs/zones.md): its first tables are the exchange's.
// Only the portal's group role exists here; the back office has no login on this server and
// reaches these rows only through the portal's signed HTTPS endpoints (/exchange/v1/…).
//
// exchange_item: what a resident did on the portal that the back office must take in — each
// with a sequence number, the kind, the resident account it claims to come from, and its content
// (a signed act carries its raw WebAuthn assertion, so the back office can verify it again).
// The back office takes the items not yet acknowledged, in sequence order, and acknowledges each
// with its outcome: the portal learns "applied" or "refused", never why (that stays inside).
//
// exchange_request_nonce: the nonces of the back office's signed requests, kept for the window in
// which a signature is accepted, so a request seen once cannot be replayed.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
DO $$
BEGIN
	IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'vaccination_portal') THEN
		CREATE ROLE vaccination_portal NOLOGIN;
	END IF;
END
$$;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO vaccination_portal;

CREATE TABLE exchange_item (
	seq bigserial PRIMARY KEY,
	kind text NOT NULL CHECK (kind ~ '^[a-z][a-z_]{0,39}$'),
	resident_account_id uuid NOT NULL,
	body jsonb NOT NULL,
	arrived_at timestamptz NOT NULL DEFAULT now(),
	taken_at timestamptz,
	outcome text CHECK (outcome IN ('applied', 'refused')),
	CHECK ((taken_at IS NULL) = (outcome IS NULL))
);
-- What the back office has not taken yet: the only rows its pull reads.
CREATE INDEX exchange_item_waiting ON exchange_item (seq) WHERE taken_at IS NULL;
-- A resident's own items (what the portal shows as "received" or "not received").
CREATE INDEX exchange_item_account ON exchange_item (resident_account_id, kind, seq);

CREATE TABLE exchange_request_nonce (
	nonce text PRIMARY KEY CHECK (length(nonce) BETWEEN 16 AND 128),
	seen_at timestamptz NOT NULL
);
CREATE INDEX exchange_request_nonce_seen ON exchange_request_nonce (seen_at);

-- The portal writes items and marks them taken when the back office acknowledges; it never
-- deletes one (the back office's intake record and the resident's view both rest on them).
GRANT SELECT, INSERT ON exchange_item TO vaccination_portal;
GRANT UPDATE (taken_at, outcome) ON exchange_item TO vaccination_portal;
GRANT USAGE ON SEQUENCE exchange_item_seq_seq TO vaccination_portal;
GRANT SELECT, INSERT, DELETE ON exchange_request_nonce TO vaccination_portal;
`.execute(db);
}
