// A role that reads 個人番号 is granted by two administrators (issue 24, low): an administrator
// could grant themself the relief role. A grant by a staff member of a role that carries
// mynumber.read in the city waits (approval_needed) until another administrator, who is neither
// the one who granted it nor the person it is for, approves it; until then it gives no right.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
ALTER TABLE staff_role
	ADD COLUMN approval_needed boolean NOT NULL DEFAULT false,
	ADD COLUMN approved_by uuid REFERENCES staff_user,
	ADD COLUMN approved_at timestamptz,
	ADD CONSTRAINT staff_role_approval_complete CHECK ((approved_by IS NULL) = (approved_at IS NULL)),
	ADD CONSTRAINT staff_role_second_admin CHECK (
		approved_by IS NULL OR (approved_by IS DISTINCT FROM granted_by AND approved_by <> staff_user_id));
`.execute(db);
}
