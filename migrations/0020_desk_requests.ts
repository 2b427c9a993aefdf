// 開示・訂正・利用停止請求 at the contact desk (DOMAIN.md P5, issue 8): who asked and how they
// proved who they are, what they asked for, when it arrived, and the statutory clock — the
// deadline computed by the city's rules (its days, whether the day of receipt counts, the days it
// is closed), an extension with its reason, and the decision.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
ALTER TABLE municipality
	ADD COLUMN disclosure_count_receipt_day boolean NOT NULL DEFAULT false,
	-- Extra days the city is closed (YYYY-MM-DD), beyond weekends, holidays and 年末年始.
	ADD COLUMN closed_days text[] NOT NULL DEFAULT '{}'
		CHECK (array_to_string(closed_days, ',') ~ '^([0-9]{4}-[0-9]{2}-[0-9]{2}(,|$))*$');

CREATE SEQUENCE desk_request_number_seq;

CREATE TABLE desk_request (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	municipality_code text NOT NULL REFERENCES municipality,
	reference text NOT NULL UNIQUE,
	kind text NOT NULL CHECK (kind IN ('disclosure', 'correction', 'suspension')),
	channel text NOT NULL CHECK (channel IN ('desk', 'mail', 'online')),
	subject_atena_number text NOT NULL,
	requester_type text NOT NULL CHECK (requester_type IN ('self', 'legal_representative', 'agent')),
	requester_name text NOT NULL CHECK (length(requester_name) BETWEEN 1 AND 100),
	power_of_attorney boolean NOT NULL DEFAULT false,          -- 委任状 seen (任意代理人)
	identity_documents text[] NOT NULL CHECK (cardinality(identity_documents) >= 1),
	what_requested text NOT NULL CHECK (length(what_requested) BETWEEN 1 AND 2000),
	follows_disclosure uuid REFERENCES desk_request,          -- 訂正・利用停止: the disclosure it answers
	received_on date NOT NULL,
	deadline date NOT NULL,
	extended_deadline date,
	extension_reason text,
	extended_by text,
	status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'decided', 'withdrawn')),
	decision text CHECK (decision IN ('full', 'partial', 'none', 'neither_confirm_nor_deny', 'accepted', 'rejected')),
	decided_on date,
	decided_by text,
	created_by text NOT NULL,
	created_at timestamptz NOT NULL,
	FOREIGN KEY (municipality_code, subject_atena_number) REFERENCES resident,
	CHECK (requester_type <> 'agent' OR power_of_attorney),
	-- Online requests only by the person themselves (strong authentication in the portal).
	CHECK (channel <> 'online' OR requester_type = 'self'),
	CHECK ((extended_deadline IS NULL) = (extension_reason IS NULL)),
	CHECK (extended_deadline IS NULL OR extended_deadline > deadline),
	CHECK ((status = 'decided') = (decision IS NOT NULL AND decided_on IS NOT NULL))
);
CREATE INDEX desk_request_open_idx ON desk_request (municipality_code, status, deadline);
`.execute(db);
}
