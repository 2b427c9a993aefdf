// Corrections and voids of recorded doses (P7, ACC-1): requested with a reason by one person,
// applied only when a different person checks them. The dose row carries the current version;
// every change keeps the values before it and the corrected values, so each version of a dose
// can be shown again (the history is never rewritten: a decided change cannot be edited).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
INSERT INTO permission (code, description_ja, description_en) VALUES
	('vaccination.correct', '予防接種記録の訂正・取消の依頼（確認は別の職員）',
	 'Request corrections and voids of vaccination records (checked by someone else)');
-- Whoever may check entries may also ask for a correction; a data-entry contractor only enters.
INSERT INTO role_permission (municipality_code, role_code, permission_code)
	SELECT municipality_code, role_code, 'vaccination.correct' FROM role_permission
	WHERE permission_code = 'vaccination.check';

ALTER TABLE vaccination_dose
	ADD COLUMN version integer NOT NULL DEFAULT 1,
	ADD COLUMN voided_at timestamptz;

CREATE TABLE vaccination_dose_change (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	municipality_code text NOT NULL,
	dose_id bigint NOT NULL REFERENCES vaccination_dose,
	kind text NOT NULL CHECK (kind IN ('correct', 'void')),
	base_version integer NOT NULL,
	before jsonb NOT NULL,                 -- the dose's values when the change was asked for
	after jsonb,                           -- the corrected values; NULL for a void
	reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 400),
	requested_by text NOT NULL,
	requested_at timestamptz NOT NULL,
	decision text CHECK (decision IN ('applied', 'declined')),
	decided_by text,
	decided_at timestamptz,
	decision_note text CHECK (length(decision_note) <= 400),
	CHECK ((kind = 'void') = (after IS NULL)),
	CHECK ((decision IS NULL) = (decided_by IS NULL) AND (decision IS NULL) = (decided_at IS NULL)),
	CHECK (decided_by IS NULL OR decided_by <> requested_by),
	CHECK (decision IS DISTINCT FROM 'declined' OR decision_note IS NOT NULL)
);
-- One open change per dose: a second request waits until the first is decided.
CREATE UNIQUE INDEX vaccination_dose_change_open_idx ON vaccination_dose_change (dose_id)
	WHERE decision IS NULL;
CREATE INDEX vaccination_dose_change_pending_idx ON vaccination_dose_change (municipality_code, requested_at)
	WHERE decision IS NULL;

-- Only the decision may be written, once.
CREATE FUNCTION refuse_dose_change_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF OLD.decision IS NOT NULL
		OR (NEW.municipality_code, NEW.dose_id, NEW.kind, NEW.base_version, NEW.before, NEW.after,
		    NEW.reason, NEW.requested_by, NEW.requested_at)
		   IS DISTINCT FROM
		   (OLD.municipality_code, OLD.dose_id, OLD.kind, OLD.base_version, OLD.before, OLD.after,
		    OLD.reason, OLD.requested_by, OLD.requested_at) THEN
		RAISE EXCEPTION 'a dose change is decided once and never rewritten' USING ERRCODE = 'check_violation';
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER vaccination_dose_change_once BEFORE UPDATE ON vaccination_dose_change
	FOR EACH ROW EXECUTE FUNCTION refuse_dose_change_rewrite();
`.execute(db);
}
