// The projection the back office publishes (issue 27, docs/zones.md): what the portal shows a
// resident, written here only through the exchange's signed endpoint (POST
// /exchange/v1/projection) and read by the resident's pages, so the portal never reads the back
// office's database for it. One row per topic and key — an account's view (the people it may act
// for, each one's record as the portal shows it, the consent) or a city's catalogue — with the
// back office's version (a released document's content is a row of its own): a row is replaced only by a higher version, so a batch sent twice or
// late changes nothing. An account the back office no longer has keeps a row with no body (a
// later, older copy cannot bring it back). notice_seen is the portal's own: which of the
// published notices the resident has been shown.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
CREATE TABLE projection (
	topic text NOT NULL CHECK (topic IN ('account', 'catalogue', 'document')),
	key text NOT NULL CHECK (length(key) BETWEEN 1 AND 64),
	version bigint NOT NULL CHECK (version > 0),
	body jsonb,
	received_at timestamptz NOT NULL DEFAULT now(),
	-- A document released for a limited time (a disclosure): its content goes when that ends.
	expires_at timestamptz,
	PRIMARY KEY (topic, key)
);
CREATE INDEX projection_expiring ON projection (expires_at) WHERE expires_at IS NOT NULL;
GRANT SELECT, INSERT, UPDATE ON projection TO vaccination_portal;

-- Which of the account's notices the resident has seen: the portal's own state (the back office
-- never reads it). Showing the notices marks every one up to the newest shown as seen.
CREATE TABLE notice_seen (
	resident_account_id uuid PRIMARY KEY,
	seen_up_to timestamptz NOT NULL
);
GRANT SELECT, INSERT, UPDATE ON notice_seen TO vaccination_portal;
`.execute(db);
}
