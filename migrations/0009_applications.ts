// Applications from residents (issue 4): one row per case with its status, the wizard's answers
// while it is a draft, every submitted version (kept after a 差し戻し, ACC-4) with the signed act
// that carried it, and every status transition with its actor and reason (DOMAIN.md §4).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
CREATE SEQUENCE application_reference_seq;

CREATE TABLE application (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	municipality_code text NOT NULL REFERENCES municipality,
	reference text UNIQUE,                             -- given at first submission
	kind text NOT NULL CHECK (kind IN ('reissue', 'certificate', 'relief', 'outside_request')),
	applicant_account_id uuid NOT NULL REFERENCES resident_account,
	subject_atena_number text,                         -- chosen in the first step
	status text NOT NULL CHECK (status IN
		('draft', 'submitted', 'in_review', 'returned', 'completed', 'rejected', 'withdrawn')),
	draft jsonb NOT NULL DEFAULT '{}'::jsonb,          -- the answers so far
	current_version integer NOT NULL DEFAULT 0,
	created_at timestamptz NOT NULL,
	updated_at timestamptz NOT NULL,
	submitted_at timestamptz,
	FOREIGN KEY (municipality_code, subject_atena_number) REFERENCES resident,
	CHECK ((status = 'draft') = (current_version = 0) OR status = 'withdrawn')
);
CREATE INDEX application_applicant_idx ON application (applicant_account_id, updated_at DESC);
CREATE INDEX application_queue_idx ON application (municipality_code, kind, status, submitted_at);

CREATE TABLE application_version (
	application_id uuid NOT NULL REFERENCES application ON DELETE CASCADE,
	version integer NOT NULL CHECK (version >= 1),
	payload text NOT NULL,                             -- canonical JSON, as signed
	signed_act_id uuid NOT NULL REFERENCES signed_act,
	created_at timestamptz NOT NULL,
	PRIMARY KEY (application_id, version)
);

CREATE TABLE application_transition (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	application_id uuid NOT NULL REFERENCES application ON DELETE CASCADE,
	from_status text NOT NULL,
	to_status text NOT NULL,
	actor_type text NOT NULL CHECK (actor_type IN ('resident', 'staff', 'system')),
	actor_id text NOT NULL,
	reason text,
	signed_act_id uuid REFERENCES signed_act,
	at timestamptz NOT NULL
);
CREATE INDEX application_transition_idx ON application_transition (application_id, at);
`.execute(db);
}
