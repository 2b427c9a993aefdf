// The resident's 閲覧履歴 in pages (issue 25, item 8: only the newest 100 were shown). The
// function returns the same projection as before plus each entry's sequence number, from which
// the next page starts; it replaces audit.staff_access_for. Grants: EXECUTE to the portal and the
// back office only, as before (docs/privileges.tsv).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
DROP FUNCTION audit.staff_access_for(text, text, integer);
CREATE FUNCTION audit.staff_access_page(p_municipality_code text, p_atena_number text,
	p_before_seq bigint, p_limit integer)
RETURNS TABLE (seq bigint, occurred_at timestamptz, action text, actor_role text, department text,
	reason text, display_name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
	SELECT e.seq, e.occurred_at, e.action, e.actor_role, e.department, e.reason, u.display_name
	FROM audit.entry e
	LEFT JOIN public.staff_user u ON u.id::text = e.actor_id
	WHERE e.municipality_code = p_municipality_code
		AND e.subject_atena_number = p_atena_number
		AND e.actor_type = 'staff'
		AND (p_before_seq IS NULL OR e.seq < p_before_seq)
	ORDER BY e.seq DESC
	LIMIT least(greatest(p_limit, 0), 500)
$$;
REVOKE ALL ON FUNCTION audit.staff_access_page(text, text, bigint, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit.staff_access_page(text, text, bigint, integer)
	TO vaccination_portal, vaccination_backoffice;
CREATE INDEX audit_entry_subject_seq_idx ON audit.entry (municipality_code, subject_atena_number, seq)
	WHERE actor_type = 'staff';
`.execute(db);
}
