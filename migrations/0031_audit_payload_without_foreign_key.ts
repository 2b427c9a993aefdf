// audit.payload loses its foreign key to audit.entry (issue 10's load figures). The key's check
// ran inside audit.append, under the city's chain lock, once per entry with a payload: a
// row-locking lookup (SELECT … FOR KEY SHARE, itself WAL-logged) of the entry the same statement
// had just inserted. With 8 concurrent writers of entries with payloads, appends went from
// 609–716 to 958–1,162 entries/s without it.
//
// What the key guaranteed is kept otherwise: payload rows are written only by audit.append,
// right after their entry; each is covered by its entry's payload_hash, so an altered or added
// payload is a break the verifier names; and the verifier now also names a payload row with no
// entry (payload_orphaned), which the key used to make impossible.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`ALTER TABLE audit.payload DROP CONSTRAINT payload_municipality_code_seq_fkey`.execute(
		db
	);
}
