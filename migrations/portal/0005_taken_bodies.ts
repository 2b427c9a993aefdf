// What the back office has taken is no longer kept in the portal zone (issue 27): an item's body
// carries what was sent inside — a letter code with the birth date, a desk link's secret, a
// signed request in the person's own words, the address it came from — and once the back office
// has acknowledged it, it holds its own verified copy. The portal keeps the item's receipt only
// (kind, account, times, outcome, answer), and for a claim how it was made (the page says
// "the code from your letter" or "the link from the desk").
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
UPDATE exchange_item SET body = CASE
	WHEN kind = 'enrolment_claim' THEN jsonb_build_object('claim', jsonb_build_object('by', body #> '{claim,by}'))
	ELSE '{}'::jsonb END
WHERE taken_at IS NOT NULL;
GRANT UPDATE (body) ON exchange_item TO vaccination_portal;
`.execute(db);
}
