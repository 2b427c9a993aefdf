// A 開示・訂正・利用停止請求 and a 問合せ carry the one-time key of the form they came from, so that
// a double tap at the desk, or a resident signing again because the answer to the first signing
// was lost, registers one request with one statutory clock (one inquiry), not two. Rows from
// before this migration have none.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
ALTER TABLE desk_request ADD COLUMN request_key uuid;
CREATE UNIQUE INDEX desk_request_request_key_idx ON desk_request (municipality_code, subject_atena_number, request_key);
ALTER TABLE inquiry ADD COLUMN request_key uuid;
CREATE UNIQUE INDEX inquiry_request_key_idx ON inquiry (municipality_code, request_key);
`.execute(db);
}
