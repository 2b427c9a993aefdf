// Doses keyed for a certificate request from the 母子健康手帳 the resident photographed (issue 25,
// item 1). Such a dose belongs to the person's 予防接種台帳 like any other (source 'handbook',
// checked by a second person), and also remembers the request it was keyed for, so that the
// certificate of that request certifies it. Grants: the column inherits the table's (portal
// SELECT, back office SELECT/INSERT/UPDATE/DELETE; docs/privileges.tsv).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
ALTER TABLE vaccination_dose
	ADD COLUMN application_id uuid REFERENCES application,
	-- Where it was given, in Latin letters: the English certificate prints no Japanese-only cell.
	ADD COLUMN institution_name_en text CHECK (institution_name_en ~ '^[ -~]{1,80}$'),
	ADD CONSTRAINT vaccination_dose_handbook_case CHECK (application_id IS NULL OR source = 'handbook');
CREATE INDEX vaccination_dose_application ON vaccination_dose (application_id)
	WHERE application_id IS NOT NULL;
`.execute(db);
}
