// The exchange's third outcome (issue 27, step 3): 'moved' — a submission or withdrawal that
// verified, but whose application had moved on when it was taken in (withdrawn from another tab,
// the same draft submitted twice). Nothing of it is applied and its signed act is not kept (no
// signature stands that did nothing); unlike 'refused' it is no security event.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
ALTER TABLE exchange_intake DROP CONSTRAINT exchange_intake_outcome_check;
ALTER TABLE exchange_intake ADD CONSTRAINT exchange_intake_outcome_check
	CHECK (outcome IN ('applied', 'refused', 'moved'));
`.execute(db);
}
