// The back office's side of an application (issue 5): the staff stage under the status the
// resident sees (new / assigned / awaiting approval … all show as 処理中), who holds the case,
// who prepared and who approved it (maker ≠ checker, ACC-1), a deadline for the queues, internal
// notes, and the action each history row records.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
ALTER TABLE application
	ADD COLUMN stage text,
	ADD COLUMN assigned_to uuid REFERENCES staff_user,
	ADD COLUMN prepared_by uuid REFERENCES staff_user,
	ADD COLUMN prepared_at timestamptz,
	ADD COLUMN approved_by uuid REFERENCES staff_user,
	ADD COLUMN approved_at timestamptz,
	ADD COLUMN issue_outcome text CHECK (issue_outcome IN ('mailed', 'handed_over', 'downloaded')),
	ADD COLUMN due_on date;
UPDATE application SET stage = CASE status
	WHEN 'submitted' THEN 'new' WHEN 'in_review' THEN 'assigned' ELSE status END;
UPDATE application SET due_on = (submitted_at AT TIME ZONE 'Asia/Tokyo')::date + 14
	WHERE submitted_at IS NOT NULL;
ALTER TABLE application ALTER COLUMN stage SET NOT NULL;
ALTER TABLE application ALTER COLUMN stage SET DEFAULT 'draft';
-- The stage always agrees with the status the resident sees.
ALTER TABLE application ADD CONSTRAINT application_stage_check CHECK (
	(stage = 'draft' AND status = 'draft') OR
	(stage = 'new' AND status = 'submitted') OR
	(stage IN ('assigned', 'awaiting_approval') AND status = 'in_review') OR
	(stage = 'returned' AND status = 'returned') OR
	(stage = 'completed' AND status = 'completed') OR
	(stage = 'rejected' AND status = 'rejected') OR
	(stage = 'withdrawn' AND status = 'withdrawn'));
ALTER TABLE application ADD CONSTRAINT application_checker_check
	CHECK (approved_by IS NULL OR prepared_by IS NULL OR approved_by <> prepared_by);
CREATE INDEX application_stage_queue_idx
	ON application (municipality_code, stage, submitted_at, id);
CREATE INDEX application_assignee_idx
	ON application (municipality_code, assigned_to, stage, submitted_at, id);

ALTER TABLE application_transition ADD COLUMN action text;
ALTER TABLE application_transition ADD COLUMN stage text;

CREATE TABLE application_note (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	application_id uuid NOT NULL REFERENCES application ON DELETE CASCADE,
	staff_user_id uuid NOT NULL REFERENCES staff_user,
	body text NOT NULL CHECK (length(body) BETWEEN 1 AND 2000),
	created_at timestamptz NOT NULL
);
CREATE INDEX application_note_idx ON application_note (application_id, created_at);
`.execute(db);
}
