// Least privilege, decided per table (issue 24, item 1). Until now migration 0001's default
// privileges gave both group roles SELECT, INSERT, UPDATE and DELETE on every table in public, so
// the portal's login could write a staff session for the relief officer, change doses, grant
// roles. From here:
// - no default privileges: a table, sequence or function created later has no grant until its
//   migration decides one, and the privilege test (tests/integration/privileges.test.ts) fails
//   until docs/privileges.tsv records that decision;
// - the portal role gets what resident and public pages need, table by table, and nothing on
//   staff, roles, permissions, staff sessions, the dose ledger's writes, the municipality's
//   settings' writes or the audit log's rows;
// - the back office gets what its code does: SELECT everywhere it reads, and INSERT, UPDATE and
//   DELETE only on the tables it writes that way (append-only history gets no UPDATE or DELETE);
// - rows that several realms share (passkeys, ceremony challenges, enrolment codes) are cut by
//   row-level security: the portal sees and writes only residents' rows;
// - the audit chain is appended only through audit.append, which now runs as its owner: neither
//   app role can insert an entry of its own making, and the portal cannot read one.
import { sql, type Kysely } from 'kysely';

type Grants = { portal?: string; backoffice?: string };

// Every table in public, with the privileges each app role holds on it. Column lists are
// PostgreSQL's own syntax. A table missing here keeps no grant at all.
const tables: Record<string, Grants> = {
	municipality: { portal: 'SELECT', backoffice: 'SELECT, INSERT, UPDATE' },
	resident: { portal: 'SELECT', backoffice: 'SELECT, INSERT, UPDATE' },
	guardianship: { portal: 'SELECT', backoffice: 'SELECT, INSERT, UPDATE, DELETE' },
	role: { backoffice: 'SELECT' },
	permission: { backoffice: 'SELECT' },
	role_permission: { backoffice: 'SELECT, INSERT' },
	staff_user: { backoffice: 'SELECT, INSERT, UPDATE' },
	staff_role: { backoffice: 'SELECT, INSERT, UPDATE' },
	staff_session: { backoffice: 'SELECT, INSERT, UPDATE, DELETE' },
	resident_account: { portal: 'SELECT, INSERT', backoffice: 'SELECT, INSERT' },
	resident_session: {
		portal: 'SELECT, INSERT, UPDATE, DELETE',
		backoffice: 'SELECT, DELETE'
	},
	resident_notice: { portal: 'SELECT, INSERT, UPDATE', backoffice: 'SELECT, INSERT, UPDATE' },
	enrolment: { portal: 'SELECT, UPDATE', backoffice: 'SELECT, INSERT, UPDATE' },
	webauthn_challenge: {
		portal: 'SELECT, INSERT, DELETE',
		backoffice: 'SELECT, INSERT, DELETE'
	},
	webauthn_credential: {
		portal: 'SELECT, INSERT, UPDATE',
		backoffice: 'SELECT, INSERT, UPDATE'
	},
	rate_limit: {
		portal: 'SELECT, INSERT, UPDATE, DELETE',
		backoffice: 'SELECT, INSERT, UPDATE, DELETE'
	},
	signed_act: { portal: 'SELECT, INSERT', backoffice: 'SELECT' },
	application: {
		// Not the back office's columns (assignee, preparer, approver, issue outcome): the portal
		// cannot make a case look prepared or approved.
		portal:
			'SELECT, INSERT, DELETE, UPDATE (draft, subject_atena_number, updated_at, status, stage, ' +
			'due_on, current_version, submitted_at, return_items, reference)',
		backoffice: 'SELECT, INSERT, UPDATE, DELETE'
	},
	application_transition: { portal: 'SELECT, INSERT', backoffice: 'SELECT, INSERT' },
	application_version: { portal: 'SELECT, INSERT', backoffice: 'SELECT, INSERT' },
	application_note: { backoffice: 'SELECT, INSERT' },
	attachment: { portal: 'SELECT, INSERT, DELETE', backoffice: 'SELECT, INSERT, DELETE' },
	email_outbox: { portal: 'INSERT', backoffice: 'SELECT, INSERT, UPDATE' },
	vaccine: { portal: 'SELECT', backoffice: 'SELECT, INSERT' },
	vaccine_dose: { portal: 'SELECT', backoffice: 'SELECT, INSERT' },
	medical_institution: { portal: 'SELECT', backoffice: 'SELECT, INSERT' },
	vaccination_dose: { portal: 'SELECT', backoffice: 'SELECT, INSERT, UPDATE, DELETE' },
	vaccination_dose_change: { backoffice: 'SELECT, INSERT, UPDATE, DELETE' },
	dose_import: { backoffice: 'SELECT, INSERT' },
	issued_document: { portal: 'SELECT', backoffice: 'SELECT, INSERT, UPDATE' },
	document_revocation: { backoffice: 'SELECT, INSERT, UPDATE' },
	document_signing_key: {
		portal: 'SELECT (kid, municipality_code, public_jwk, created_at, retired_at)',
		backoffice: 'SELECT, INSERT, UPDATE'
	},
	relief_benefit: { backoffice: 'SELECT' },
	relief_benefit_amount: { backoffice: 'SELECT, INSERT, UPDATE' },
	relief_case: {
		portal:
			'SELECT (id, municipality_code, application_id, subject_atena_number, category, benefits, ' +
			'received_on, stage, stage_since, missing_documents, committee_on, forwarded_on, ' +
			'ministry_on, certification, certified_on, decision, decided_on, appeal_filed_on, ' +
			'appeal_outcome, appeal_decided_on, closed_on)',
		backoffice: 'SELECT, INSERT, UPDATE'
	},
	relief_event: {
		portal: 'SELECT (id, case_id, action, from_stage, to_stage, at, public_note)',
		backoffice: 'SELECT, INSERT'
	},
	relief_payment: { backoffice: 'SELECT, INSERT, UPDATE' },
	desk_request: { portal: 'SELECT, INSERT', backoffice: 'SELECT, INSERT, UPDATE' },
	disclosure_package: { backoffice: 'SELECT, INSERT, UPDATE' },
	disclosure_withholding: { backoffice: 'SELECT, INSERT, UPDATE, DELETE' },
	use_suspension: { backoffice: 'SELECT, INSERT, UPDATE' },
	inquiry: { backoffice: 'SELECT, INSERT, UPDATE' },
	registry_upload: { backoffice: 'SELECT, INSERT, UPDATE, DELETE' },
	registry_import: { backoffice: 'SELECT, INSERT, UPDATE' },
	registry_import_change: { backoffice: 'SELECT, INSERT' },
	mailing_batch: { backoffice: 'SELECT, INSERT, UPDATE' },
	mailing_part: { backoffice: 'SELECT, INSERT, UPDATE' },
	mailing_recipient: { backoffice: 'SELECT, INSERT, UPDATE' },
	retention_run: { backoffice: 'SELECT, INSERT' },
	// The migration runner's own bookkeeping: the owner's alone.
	kysely_migration: {},
	kysely_migration_lock: {}
};

// Sequences behind identity columns need no grant (INSERT covers them); these are read with
// nextval() by the app.
const sequences: Record<string, Grants> = {
	application_reference_seq: { portal: 'USAGE', backoffice: 'USAGE' },
	desk_request_number_seq: { portal: 'USAGE', backoffice: 'USAGE' },
	issued_document_number_seq: { backoffice: 'USAGE' }
};

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
ALTER DEFAULT PRIVILEGES IN SCHEMA public
	REVOKE ALL ON TABLES FROM vaccination_portal, vaccination_backoffice;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
	REVOKE ALL ON SEQUENCES FROM vaccination_portal, vaccination_backoffice;
ALTER DEFAULT PRIVILEGES IN SCHEMA pgboss
	REVOKE ALL ON TABLES FROM vaccination_backoffice;
-- Every role has USAGE on public by default; only the two app roles (and the owner) need it.
REVOKE ALL ON SCHEMA public FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM vaccination_portal, vaccination_backoffice, PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM vaccination_portal, vaccination_backoffice, PUBLIC;
`.execute(db);
	for (const [table, grants] of Object.entries(tables)) {
		for (const [role, privileges] of Object.entries(grants)) {
			await sql.raw(`GRANT ${privileges} ON public.${table} TO vaccination_${role}`).execute(db);
		}
	}
	for (const [sequence, grants] of Object.entries(sequences)) {
		for (const [role, privileges] of Object.entries(grants)) {
			await sql
				.raw(`GRANT ${privileges} ON SEQUENCE public.${sequence} TO vaccination_${role}`)
				.execute(db);
		}
	}

	await sql`
-- Rows of several realms in one table: the portal's role reaches residents' rows only. (The back
-- office and the owner see every row; the owner is not subject to these policies.)
ALTER TABLE webauthn_credential ENABLE ROW LEVEL SECURITY;
CREATE POLICY resident_rows ON webauthn_credential TO vaccination_portal
	USING (staff_user_id IS NULL) WITH CHECK (staff_user_id IS NULL AND resident_account_id IS NOT NULL);
CREATE POLICY every_row ON webauthn_credential TO vaccination_backoffice USING (true) WITH CHECK (true);

ALTER TABLE webauthn_challenge ENABLE ROW LEVEL SECURITY;
CREATE POLICY resident_rows ON webauthn_challenge TO vaccination_portal
	USING (realm = 'resident') WITH CHECK (realm = 'resident');
CREATE POLICY every_row ON webauthn_challenge TO vaccination_backoffice USING (true) WITH CHECK (true);

ALTER TABLE enrolment ENABLE ROW LEVEL SECURITY;
CREATE POLICY resident_rows ON enrolment TO vaccination_portal
	USING (staff_user_id IS NULL) WITH CHECK (staff_user_id IS NULL);
CREATE POLICY every_row ON enrolment TO vaccination_backoffice USING (true) WITH CHECK (true);

-- The audit chain: appended only through audit.append, which now runs as its owner, so no app
-- role needs (or has) INSERT on the entries; only the back office (the auditor's screens,
-- reviews, retention) reads them.
ALTER FUNCTION audit.append(text, bytea, jsonb) SECURITY DEFINER SET search_path = pg_catalog, pg_temp;
REVOKE ALL ON audit.entry, audit.payload FROM vaccination_portal, vaccination_backoffice, PUBLIC;
GRANT SELECT ON audit.entry, audit.payload TO vaccination_backoffice;
-- Unused since migration 0028 (audit.append takes the lock itself).
REVOKE ALL ON FUNCTION audit.lock_chain(text) FROM vaccination_portal, vaccination_backoffice, PUBLIC;
-- chain_pending runs as the writer: it deletes the pending row it chained (SELECT for its WHERE).
REVOKE ALL ON FUNCTION audit.refuse_change() FROM PUBLIC;

-- What a resident's "who looked at my data" page shows: staff reads of one person, with the
-- staff member's name. The portal calls this instead of reading the log and the staff table.
CREATE FUNCTION audit.staff_access_for(p_municipality_code text, p_atena_number text, p_limit integer)
RETURNS TABLE (occurred_at timestamptz, action text, actor_role text, department text,
	reason text, display_name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
	SELECT e.occurred_at, e.action, e.actor_role, e.department, e.reason, u.display_name
	FROM audit.entry e
	LEFT JOIN public.staff_user u ON u.id::text = e.actor_id
	WHERE e.municipality_code = p_municipality_code
		AND e.subject_atena_number = p_atena_number
		AND e.actor_type = 'staff'
	ORDER BY e.seq DESC
	LIMIT least(greatest(p_limit, 0), 500)
$$;
REVOKE ALL ON FUNCTION audit.staff_access_for(text, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit.staff_access_for(text, text, integer)
	TO vaccination_portal, vaccination_backoffice;

-- pg-boss's functions create and drop tables: the owner's (migrations) alone.
REVOKE ALL ON FUNCTION pgboss.create_queue(text, json), pgboss.delete_queue(text) FROM PUBLIC;
-- Trigger functions are called by their triggers, never by a role.
REVOKE ALL ON FUNCTION public.refuse_dose_change_rewrite(), public.refuse_issued_document_rewrite()
	FROM PUBLIC;
`.execute(db);
}
