// 問合せ・苦情 (DOMAIN.md P6): the desk's log — who, by which channel, about what, the answer
// and when the matter was closed (the 苦情受付票 of the seeds).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
CREATE TABLE inquiry (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	municipality_code text NOT NULL REFERENCES municipality,
	kind text NOT NULL CHECK (kind IN ('inquiry', 'complaint')),
	channel text NOT NULL CHECK (channel IN ('desk', 'phone', 'mail', 'email', 'online')),
	received_at timestamptz NOT NULL,
	caller_name text NOT NULL CHECK (length(caller_name) BETWEEN 1 AND 100),
	subject_atena_number text,                 -- when it is about a resident on the register
	subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 2000),
	response text CHECK (length(response) <= 4000),
	closed_on date,
	created_by text NOT NULL,
	closed_by text,
	FOREIGN KEY (municipality_code, subject_atena_number) REFERENCES resident,
	CHECK ((closed_on IS NULL) = (closed_by IS NULL)),
	CHECK (closed_on IS NULL OR response IS NOT NULL)
);
CREATE INDEX inquiry_open_idx ON inquiry (municipality_code, closed_on, received_at);
REVOKE ALL ON inquiry FROM vaccination_portal;
`.execute(db);
}
