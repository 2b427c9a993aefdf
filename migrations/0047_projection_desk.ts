// The resident's 開示・訂正・利用停止請求 on the projection (issue 27, docs/zones.md): the requests an
// account signed online (reference, clock, status, decision) and the decided disclosures about its
// person that a correction or suspension can still follow are published in the account's view, so
// the portal's requests page no longer reads the back office's database.
//
// Marks, as in 0044: a request added or changed marks the accounts of the person it is about (a
// request made at the desk can open a correction to them) and the account that signed it online.
// Grants unchanged.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
CREATE FUNCTION projection_mark_desk_request() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	INSERT INTO public.projection_pending (topic, municipality_code, key)
	SELECT 'account', account.municipality_code, account.id::text
	FROM changed
	JOIN public.resident_account account
		ON account.municipality_code = changed.municipality_code
		AND account.atena_number = changed.subject_atena_number
	UNION
	SELECT 'account', act.municipality_code, act.resident_account_id::text
	FROM changed JOIN public.signed_act act ON act.id = changed.signed_act_id
	WHERE act.resident_account_id IS NOT NULL;
	RETURN NULL;
END $$;

CREATE TRIGGER desk_request_projection_insert AFTER INSERT ON desk_request
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION projection_mark_desk_request();
CREATE TRIGGER desk_request_projection_update AFTER UPDATE ON desk_request
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION projection_mark_desk_request();
CREATE TRIGGER desk_request_projection_delete AFTER DELETE ON desk_request
	REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION projection_mark_desk_request();
REVOKE ALL ON FUNCTION projection_mark_desk_request() FROM PUBLIC;

-- Every account with a request, or about whose person one was made, is published once.
INSERT INTO projection_pending (topic, municipality_code, key)
SELECT DISTINCT 'account', account.municipality_code, account.id::text
FROM desk_request request
JOIN resident_account account
	ON account.municipality_code = request.municipality_code
	AND account.atena_number = request.subject_atena_number;
`.execute(db);
}
