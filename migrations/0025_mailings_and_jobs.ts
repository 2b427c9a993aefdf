// 接種勧奨 and yearly mailings (DOMAIN.md P8, issue 9), and the job queue that renders them.
//
// A batch is fixed when it is created: its recipients (who, which doses, in print order) and its
// parts (runs of recipients rendered into one PDF each). Rendering claims one part at a time under
// a row lock and stores its PDF and the per-person page ranges in the same transaction, so a worker
// killed halfway leaves every part either whole or untouched: the next run renders only what is
// missing, and nothing twice. The print file is the parts merged once all are done.
//
// pg-boss (the job queue) keeps its tables in schema pgboss. They are created here, by the
// migration owner, so the app's roles need no CREATE right: the back office gets DML on them only.
import PgBoss from 'pg-boss';
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
CREATE TABLE mailing_batch (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	municipality_code text NOT NULL REFERENCES municipality,
	-- due: a dose's window is open · overdue: past the recommended age, still in the window ·
	-- newborn: children born in a period (the first 予診票 set) · age_cohort: people whose window
	-- for one vaccine opens or is open at the age the cohort reaches.
	kind text NOT NULL CHECK (kind IN ('due', 'overdue', 'newborn', 'age_cohort')),
	criteria jsonb NOT NULL,
	as_of date NOT NULL,
	with_questionnaires boolean NOT NULL,
	status text NOT NULL CHECK (status IN ('rendering', 'rendered', 'cancelled', 'sent')),
	recipients integer NOT NULL CHECK (recipients > 0),
	parts integer NOT NULL CHECK (parts > 0),
	created_by text NOT NULL,
	created_at timestamptz NOT NULL,
	-- The form's one-time key: a double tap on 作成 makes one batch.
	request_key uuid NOT NULL UNIQUE,
	rendered_at timestamptz,
	cancelled_by text,
	cancelled_at timestamptz,
	sent_by text,
	sent_on date,
	print_file bytea,
	print_pages integer,
	-- The print file and the parts' PDFs are temporary (RET-5): removed some days after sending;
	-- the recipients (who got which letter) stay.
	files_purged_at timestamptz,
	CHECK ((status IN ('rendered', 'sent') AND files_purged_at IS NULL) = (print_file IS NOT NULL)),
	CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
	CHECK ((status = 'sent') = (sent_on IS NOT NULL))
);
CREATE INDEX mailing_batch_idx ON mailing_batch (municipality_code, created_at DESC);

CREATE TABLE mailing_part (
	batch_id uuid NOT NULL REFERENCES mailing_batch ON DELETE CASCADE,
	part_no integer NOT NULL CHECK (part_no >= 1),
	first_seq integer NOT NULL,
	last_seq integer NOT NULL,
	pdf bytea,
	pages integer,
	rendered_at timestamptz,
	PRIMARY KEY (batch_id, part_no),
	CHECK (first_seq <= last_seq),
	CHECK ((rendered_at IS NULL) = (pages IS NULL) AND (rendered_at IS NOT NULL OR pdf IS NULL))
);
CREATE INDEX mailing_part_pending_idx ON mailing_part (batch_id, part_no) WHERE rendered_at IS NULL;

CREATE TABLE mailing_recipient (
	batch_id uuid NOT NULL REFERENCES mailing_batch ON DELETE CASCADE,
	seq integer NOT NULL CHECK (seq >= 1),
	municipality_code text NOT NULL,
	atena_number text NOT NULL,
	part_no integer NOT NULL,
	document_number text NOT NULL,
	-- [{"vaccine": "mr", "dose": "2", "status": "due", "from": "…", "until": "…"}]
	doses jsonb NOT NULL,
	-- Set when the part is rendered: where this person's letters lie in the print file.
	first_page integer,
	pages integer,
	PRIMARY KEY (batch_id, seq),
	UNIQUE (batch_id, atena_number),
	UNIQUE (batch_id, document_number),
	FOREIGN KEY (batch_id, part_no) REFERENCES mailing_part,
	FOREIGN KEY (municipality_code, atena_number) REFERENCES resident
);
CREATE INDEX mailing_recipient_person_idx ON mailing_recipient (municipality_code, atena_number);

REVOKE ALL ON mailing_batch, mailing_part, mailing_recipient FROM vaccination_portal;

INSERT INTO permission (code, description_ja, description_en) VALUES
	('mailing.manage', '接種勧奨・一斉送付の作成と発送', 'Create and send vaccination reminder mailings');
INSERT INTO role_permission (municipality_code, role_code, permission_code)
	SELECT municipality_code, role_code, 'mailing.manage' FROM municipality
	CROSS JOIN (VALUES ('caseworker'), ('approver')) AS roles (role_code);
`.execute(db);

	// pg-boss's own schema, as its construction plan writes it, inside this migration's
	// transaction (the plan's BEGIN/COMMIT are the migrator's here). A pg-boss upgrade that
	// changes the schema comes with a migration running PgBoss.getMigrationPlans.
	const plan = PgBoss.getConstructionPlans('pgboss')
		.replace(/^\s*BEGIN;\s*$/m, '')
		.replace(/^\s*COMMIT;\s*$/m, '');
	await sql.raw(plan).execute(db);
	const queue = {
		policy: 'standard',
		retryLimit: 5,
		retryDelay: 30,
		retryBackoff: true,
		expireInSeconds: 3600,
		retentionMinutes: 60 * 24 * 14
	};
	await sql`SELECT pgboss.create_queue('mailing.render', ${JSON.stringify(queue)}::json)`.execute(
		db
	);
	// A registry file is applied whole or not at all: a retry starts it again from the top.
	const registry = { ...queue, retryLimit: 2 };
	await sql`SELECT pgboss.create_queue('registry.import', ${JSON.stringify(registry)}::json)`.execute(
		db
	);
	await sql`
GRANT USAGE ON SCHEMA pgboss TO vaccination_backoffice;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA pgboss TO vaccination_backoffice;
ALTER DEFAULT PRIVILEGES IN SCHEMA pgboss
	GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO vaccination_backoffice;
`.execute(db);
}
