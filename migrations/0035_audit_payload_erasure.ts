// A payload may disappear only through retention (issue 24, low): audit.erase_payloads now
// records each payload it erases in audit.payload_erasure, as append-only as the log, and the
// verifier names a payload that is gone without such a record ('payload_missing'). Before, the
// owner could delete every payload row and verification stayed silent (entries keep only the
// payload's hash).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
CREATE TABLE audit.payload_erasure (
	municipality_code text NOT NULL,
	seq bigint NOT NULL,
	erased_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (municipality_code, seq)
);
CREATE TRIGGER payload_erasure_no_change BEFORE UPDATE OR DELETE ON audit.payload_erasure
	FOR EACH ROW EXECUTE FUNCTION audit.refuse_change();
CREATE TRIGGER payload_erasure_no_truncate BEFORE TRUNCATE ON audit.payload_erasure
	FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change();
REVOKE ALL ON audit.payload_erasure FROM PUBLIC;
-- Read by the verifier (the auditor's screen, reviews, the checkpoints); written only below.
GRANT SELECT ON audit.payload_erasure TO vaccination_backoffice;

-- Payloads erased by retention before this migration: the only way the app could erase them was
-- this function, past the city's audit_payload retention, so those are recorded as erased.
INSERT INTO audit.payload_erasure (municipality_code, seq, erased_at)
SELECT e.municipality_code, e.seq, now()
FROM audit.entry e JOIN public.municipality m ON m.municipality_code = e.municipality_code
WHERE e.payload_hash IS NOT NULL
	AND NOT EXISTS (SELECT 1 FROM audit.payload p
		WHERE p.municipality_code = e.municipality_code AND p.seq = e.seq)
	AND m.retention_years ? 'audit_payload'
	AND e.occurred_at < now() - make_interval(years => (m.retention_years->>'audit_payload')::integer);

CREATE OR REPLACE FUNCTION audit.erase_payloads(p_municipality_code text, p_seqs bigint[])
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
	WITH gone AS (
		DELETE FROM audit.payload p
		USING audit.entry e
		WHERE p.municipality_code = p_municipality_code AND p.seq = ANY(p_seqs)
			AND e.municipality_code = p.municipality_code AND e.seq = p.seq
			AND e.occurred_at < now() - make_interval(years => years)
		RETURNING p.municipality_code, p.seq
	)
	INSERT INTO audit.payload_erasure (municipality_code, seq) SELECT municipality_code, seq FROM gone;
	GET DIAGNOSTICS erased = ROW_COUNT;
	RETURN erased;
END
$$;
`.execute(db);
}
