// Vaccination records in bulk (issue 9): imports from the vendor 健康管理システム or another
// municipality (CSV or FHIR), each run kept with its counts and refused lines, and the sources a
// city trusts enough that their doses need no second-person check (ACC-1 otherwise applies).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
ALTER TABLE municipality
	ADD COLUMN trusted_dose_sources text[] NOT NULL DEFAULT '{}';

CREATE TABLE dose_import (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	municipality_code text NOT NULL REFERENCES municipality,
	format text NOT NULL CHECK (format IN ('csv', 'fhir')),
	-- Who sent it: the vendor system's name, or the municipality a 転入者 came from.
	source_name text NOT NULL CHECK (length(source_name) BETWEEN 1 AND 100),
	-- Records of a 転入者 from another municipality are taken only with their consent (000:L593).
	consent_recorded boolean NOT NULL,
	trusted boolean NOT NULL,
	imported_by text NOT NULL,
	imported_at timestamptz NOT NULL,
	entries integer NOT NULL,
	inserted integer NOT NULL,
	errors jsonb NOT NULL
);
ALTER TABLE vaccination_dose ADD COLUMN import_id uuid REFERENCES dose_import;
REVOKE ALL ON dose_import FROM vaccination_portal;
`.execute(db);
}
