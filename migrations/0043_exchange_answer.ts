// The back office's answer to an item (issue 27, step 3: enrolment through the exchange). An
// enrolment claim is answered with whether the code was accepted and, if it was, the options for
// the passkey the back office will confirm; a registration with the account it was bound to. The
// answer is kept with the intake record, so an acknowledgement lost in a crash is sent again with
// the same answer.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`ALTER TABLE exchange_intake ADD COLUMN answer jsonb;`.execute(db);
}
