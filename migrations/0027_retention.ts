// Retention (RET-1, RET-2, RET-5; issue 9): each purge run, with the encrypted archive it wrote
// before deleting anything, and the one narrow way the back office may erase audit payloads —
// a function that erases only payloads past the city's own audit_payload retention, so the app
// role never gets DELETE on the audit schema. The chain itself is never deleted (entries keep
// their payload_hash, so the chain still verifies).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
CREATE TABLE retention_run (
	id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	municipality_code text NOT NULL REFERENCES municipality,
	run_at timestamptz NOT NULL,
	run_by text NOT NULL,
	archive_file text NOT NULL,
	archive_sha256 text NOT NULL CHECK (archive_sha256 ~ '^[0-9a-f]{64}$'),
	counts jsonb NOT NULL
);
REVOKE ALL ON retention_run FROM vaccination_portal;

CREATE FUNCTION audit.erase_payloads(p_municipality_code text, p_seqs bigint[])
RETURNS integer LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, audit AS $$
DECLARE
	years integer;
	erased integer;
BEGIN
	SELECT (retention_years->>'audit_payload')::integer INTO years
	FROM public.municipality WHERE municipality_code = p_municipality_code;
	IF years IS NULL THEN
		RAISE EXCEPTION 'no audit_payload retention set for %', p_municipality_code;
	END IF;
	DELETE FROM audit.payload p
	USING audit.entry e
	WHERE p.municipality_code = p_municipality_code AND p.seq = ANY(p_seqs)
		AND e.municipality_code = p.municipality_code AND e.seq = p.seq
		AND e.occurred_at < now() - make_interval(years => years);
	GET DIAGNOSTICS erased = ROW_COUNT;
	RETURN erased;
END
$$;
REVOKE ALL ON FUNCTION audit.erase_payloads(text, bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit.erase_payloads(text, bigint[]) TO vaccination_backoffice;
`.execute(db);
}
