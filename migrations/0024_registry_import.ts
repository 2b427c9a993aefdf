// Imports of the 住民基本台帳 異動 feed (issue 9): each run — dry run or applied — with the file's
// hash, its counts and the lines it refused, and for each person it changed, which items
// (never their values: the register itself holds those). Back office only.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
CREATE TABLE registry_import (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	municipality_code text NOT NULL REFERENCES municipality,
	file_name text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
	file_sha256 text NOT NULL CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
	dry_run boolean NOT NULL,
	started_by text NOT NULL,
	started_at timestamptz NOT NULL,
	finished_at timestamptz NOT NULL,
	lines integer NOT NULL CHECK (lines >= 0),
	-- {"insert": n, "update": n, "return": n, "move_out": n, "death": n, "unchanged": n}
	counts jsonb NOT NULL,
	error_count integer NOT NULL CHECK (error_count >= 0),
	-- The first refused lines: [{"line": 12, "field": "birth_date", "code": "invalid_date"}]
	errors jsonb NOT NULL,
	guardianships jsonb NOT NULL
);
CREATE INDEX registry_import_idx ON registry_import (municipality_code, started_at DESC);

CREATE TABLE registry_import_change (
	import_id uuid NOT NULL REFERENCES registry_import ON DELETE CASCADE,
	line integer NOT NULL,
	atena_number text NOT NULL,
	kind text NOT NULL CHECK (kind IN ('insert', 'update', 'return', 'move_out', 'death')),
	fields text[] NOT NULL,
	PRIMARY KEY (import_id, line)
);
CREATE INDEX registry_import_change_person_idx ON registry_import_change (atena_number);

-- A file uploaded on the staff screen, kept between its dry run and applying it, for a day at
-- most (RET-5). Applying runs as a job: its progress is written here (outside the import's own
-- transaction, so the screen can show it), and the bytes are dropped once applied.
CREATE TABLE registry_upload (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	municipality_code text NOT NULL REFERENCES municipality,
	file_name text NOT NULL,
	bytes bytea,
	size bigint NOT NULL,
	uploaded_by text NOT NULL,
	dry_run_id uuid NOT NULL REFERENCES registry_import,
	expires_at timestamptz NOT NULL,
	status text NOT NULL DEFAULT 'uploaded'
		CHECK (status IN ('uploaded', 'queued', 'applying', 'applied', 'cancelled', 'failed')),
	cancel_requested boolean NOT NULL DEFAULT false,
	started_at timestamptz,
	lines_done integer NOT NULL DEFAULT 0,
	bytes_done bigint NOT NULL DEFAULT 0,
	applied_import_id uuid REFERENCES registry_import,
	failure text,
	CHECK ((status = 'applied') = (applied_import_id IS NOT NULL)),
	CHECK (status IN ('applied', 'cancelled', 'failed') OR bytes IS NOT NULL)
);

REVOKE ALL ON registry_import, registry_import_change, registry_upload FROM vaccination_portal;

INSERT INTO permission (code, description_ja, description_en) VALUES
	('registry.import', '住民基本台帳の異動データの取込み', 'Import resident-register change files');
INSERT INTO role_permission (municipality_code, role_code, permission_code)
	SELECT municipality_code, 'admin', 'registry.import' FROM municipality;
`.execute(db);
}
