// The resident's 閲覧履歴 on the projection (issue 27, docs/zones.md): who among the city's staff
// looked at or changed a person's records is published to the portal zone (topic 'access', keyed
// by the account: the log of each person the account sees), so the access log page no longer
// reads the back office's database through audit.staff_access_page (which goes).
//
// What marks an account: a staff entry about a person it sees. Not a trigger on audit.entry —
// entries are chained at commit under the city's chain lock (0029), and work there would hold
// every appender of the city — but a cursor per city over the chain's sequence: seq is assigned
// under that lock, which is held through commit, so the entries of a city become visible in seq
// order and an entry at or below the cursor can never appear later. projection_mark_access()
// marks the accounts that see the subjects of the staff entries past the cursor and moves it; the
// publisher calls it before each round (and in its cheap look). Also marked: a new or removed
// account, a 法定代理人 link's change (the guardian's account sees one person more or less), and
// the city's choice to show staff names.
//
// Grants: the back office may call projection_mark_access(); the cursor is the owner's (the
// function is SECURITY DEFINER), so no role can move it or read the log through it.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
ALTER TABLE projection_pending DROP CONSTRAINT projection_pending_topic_check;
ALTER TABLE projection_pending ADD CONSTRAINT projection_pending_topic_check
	CHECK (topic IN ('account', 'catalogue', 'document', 'application', 'access'));

CREATE TABLE projection_audit_cursor (
	municipality_code text PRIMARY KEY,
	seq bigint NOT NULL
);
-- What is in the log now is published with every account's first access log (below).
INSERT INTO projection_audit_cursor (municipality_code, seq)
SELECT municipality.municipality_code, coalesce(max(entry.seq), 0)
FROM municipality LEFT JOIN audit.entry entry USING (municipality_code)
GROUP BY municipality.municipality_code;

-- Marks the accounts that see the subjects of the staff entries past each city's cursor and
-- moves the cursor; answers whether anything is marked for publication (the publisher's cheap
-- look). A cursor another publisher holds is skipped: that one marks.
CREATE FUNCTION projection_mark_access() RETURNS boolean LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	city record;
	newest bigint;
BEGIN
	INSERT INTO public.projection_audit_cursor (municipality_code, seq)
	SELECT municipality_code, 0 FROM public.municipality served
	WHERE NOT EXISTS (SELECT 1 FROM public.projection_audit_cursor cursor
		WHERE cursor.municipality_code = served.municipality_code)
	ON CONFLICT (municipality_code) DO NOTHING;
	-- Called four times a second: a city's cursor is locked (a write) only when its log has grown.
	FOR city IN SELECT cursor.municipality_code, cursor.seq
		FROM public.projection_audit_cursor cursor
		WHERE EXISTS (SELECT 1 FROM audit.entry entry
			WHERE entry.municipality_code = cursor.municipality_code AND entry.seq > cursor.seq)
		FOR UPDATE SKIP LOCKED
	LOOP
		SELECT max(seq) INTO newest FROM audit.entry
		WHERE municipality_code = city.municipality_code AND seq > city.seq;
		CONTINUE WHEN newest IS NULL;
		INSERT INTO public.projection_pending (topic, municipality_code, key)
		SELECT 'access', city.municipality_code, account.id::text
		FROM (SELECT DISTINCT subject_atena_number AS atena_number FROM audit.entry
			WHERE municipality_code = city.municipality_code AND seq > city.seq AND seq <= newest
				AND actor_type = 'staff' AND subject_atena_number IS NOT NULL) AS touched
		JOIN public.resident_account account
			ON account.municipality_code = city.municipality_code
			AND (account.atena_number = touched.atena_number
				OR account.atena_number IN (SELECT link.guardian_atena_number
					FROM public.guardianship link
					WHERE link.municipality_code = city.municipality_code
						AND link.child_atena_number = touched.atena_number))
		GROUP BY account.id;
		UPDATE public.projection_audit_cursor SET seq = newest
		WHERE municipality_code = city.municipality_code;
	END LOOP;
	RETURN EXISTS (SELECT 1 FROM public.projection_pending);
END $$;

CREATE FUNCTION projection_mark_access_account() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	INSERT INTO public.projection_pending (topic, municipality_code, key)
	SELECT DISTINCT 'access', municipality_code, id::text FROM changed;
	RETURN NULL;
END $$;

CREATE FUNCTION projection_mark_access_guardian() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	INSERT INTO public.projection_pending (topic, municipality_code, key)
	SELECT DISTINCT 'access', account.municipality_code, account.id::text
	FROM changed
	JOIN public.resident_account account
		ON account.municipality_code = changed.municipality_code
		AND account.atena_number = changed.guardian_atena_number;
	RETURN NULL;
END $$;

CREATE FUNCTION projection_mark_access_city() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	INSERT INTO public.projection_pending (topic, municipality_code, key)
	SELECT 'access', municipality_code, id::text FROM public.resident_account
	WHERE municipality_code = NEW.municipality_code;
	RETURN NULL;
END $$;

CREATE TRIGGER resident_account_access_insert AFTER INSERT ON resident_account
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION projection_mark_access_account();
CREATE TRIGGER resident_account_access_delete AFTER DELETE ON resident_account
	REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION projection_mark_access_account();
CREATE TRIGGER guardianship_access_insert AFTER INSERT ON guardianship
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION projection_mark_access_guardian();
CREATE TRIGGER guardianship_access_update AFTER UPDATE ON guardianship
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION projection_mark_access_guardian();
CREATE TRIGGER guardianship_access_delete AFTER DELETE ON guardianship
	REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION projection_mark_access_guardian();
CREATE TRIGGER municipality_access_names AFTER UPDATE OF access_log_shows_staff_names ON municipality
	FOR EACH ROW WHEN (OLD.access_log_shows_staff_names IS DISTINCT FROM NEW.access_log_shows_staff_names)
	EXECUTE FUNCTION projection_mark_access_city();

REVOKE ALL ON FUNCTION projection_mark_access(), projection_mark_access_account(),
	projection_mark_access_guardian(), projection_mark_access_city() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION projection_mark_access() TO vaccination_backoffice;

-- The portal no longer reads the log through the shared database: the function it used goes
-- (the publisher reads the entries itself, through the same index).
DROP FUNCTION audit.staff_access_page(text, text, bigint, integer);

-- Every account's log is published once.
INSERT INTO projection_pending (topic, municipality_code, key)
SELECT 'access', municipality_code, id::text FROM resident_account;
`.execute(db);
}
