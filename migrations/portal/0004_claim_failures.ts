// Failed claims counted per address (issue 27): the portal learns that a code was not accepted
// only when the back office answers, so it counts a failure when it first shows it to the browser
// that made the claim — once per claim — and shows no more failures from an address past its
// limit. A success is never counted (a city office enrolling residents all day shares an address).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
ALTER TABLE enrolment_attempt ADD COLUMN declined_counted_at timestamptz;
GRANT UPDATE (declined_counted_at) ON enrolment_attempt TO vaccination_portal;
`.execute(db);
}
