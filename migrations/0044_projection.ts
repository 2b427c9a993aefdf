// The projection (issue 27, docs/zones.md): what the portal shows a resident is published to the
// portal zone's own database by the back office, never read by the portal from here. A change
// that touches what some account sees marks that account here (a topic and a key: 'account' and
// the account's id, or 'catalogue' and the city), and the back office's publisher builds the
// account's view from the tables as they stand, sends it, and removes the marks it sent.
//
// The marks are made by triggers, not by the code that writes: every path that changes a
// resident, a 法定代理人 link, a dose, an account, a consent, a notice, a document or the catalogue (a staff screen, the
// 住基 import, a dose file, the demo, a DBA's UPDATE) marks what it touched, so nothing the portal
// shows can be forgotten. Statement-level triggers with transition tables: a 住基 import of a
// million rows marks the few thousand accounts among them in one statement, not a million.
//
// Versions: each publication draws the next `projection_version`, under a lock only one
// publisher holds, so a view built later carries a higher version; the portal keeps a row only
// when the version it receives is higher than the one it has (a batch sent twice, or late, changes
// nothing). A mark written while a view is being built stays (its id is above those sent), and
// the account is published again.
//
// Grants: the back office reads and removes the marks and draws versions; the triggers insert
// the marks as the owner (SECURITY DEFINER), so neither role may write a mark itself. The
// portal's role gets nothing.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
CREATE TABLE projection_pending (
	id bigserial PRIMARY KEY,
	topic text NOT NULL CHECK (topic IN ('account', 'catalogue', 'document')),
	municipality_code text NOT NULL,
	key text NOT NULL,
	marked_at timestamptz NOT NULL DEFAULT now()
);
CREATE SEQUENCE projection_version;

-- The accounts that see a person: the person's own, and those of everyone ever linked to them as
-- 法定代理人 (a link that ended or was suppressed must take the child off the guardian's view).
CREATE FUNCTION projection_mark_people(p_people text[], p_cities text[])
RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
	INSERT INTO public.projection_pending (topic, municipality_code, key)
	SELECT DISTINCT 'account', account.municipality_code, account.id::text
	FROM unnest(p_people, p_cities) AS person (atena_number, municipality_code)
	JOIN public.resident_account account
		ON account.municipality_code = person.municipality_code
		AND account.atena_number = person.atena_number
	UNION
	SELECT 'account', account.municipality_code, account.id::text
	FROM unnest(p_people, p_cities) AS person (atena_number, municipality_code)
	JOIN public.guardianship link
		ON link.municipality_code = person.municipality_code
		AND link.child_atena_number = person.atena_number
	JOIN public.resident_account account
		ON account.municipality_code = link.municipality_code
		AND account.atena_number = link.guardian_atena_number
$$;

CREATE FUNCTION projection_mark_resident() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM public.projection_mark_people(
		(SELECT array_agg(atena_number) FROM changed), (SELECT array_agg(municipality_code) FROM changed));
	RETURN NULL;
END $$;

CREATE FUNCTION projection_mark_guardian() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	INSERT INTO public.projection_pending (topic, municipality_code, key)
	SELECT DISTINCT 'account', account.municipality_code, account.id::text
	FROM changed
	JOIN public.resident_account account
		ON account.municipality_code = changed.municipality_code
		AND account.atena_number = changed.guardian_atena_number;
	RETURN NULL;
END $$;

CREATE FUNCTION projection_mark_account() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	INSERT INTO public.projection_pending (topic, municipality_code, key)
	SELECT DISTINCT 'account', municipality_code, id::text FROM changed;
	RETURN NULL;
END $$;

CREATE FUNCTION projection_mark_consent() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	INSERT INTO public.projection_pending (topic, municipality_code, key)
	SELECT DISTINCT 'account', municipality_code, resident_account_id::text
	FROM changed WHERE kind = 'consent';
	RETURN NULL;
END $$;

CREATE FUNCTION projection_mark_catalogue() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	INSERT INTO public.projection_pending (topic, municipality_code, key)
	SELECT DISTINCT 'catalogue', municipality_code, municipality_code FROM changed;
	RETURN NULL;
END $$;

CREATE FUNCTION projection_mark_notice() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	INSERT INTO public.projection_pending (topic, municipality_code, key)
	SELECT DISTINCT 'account', municipality_code, resident_account_id::text FROM changed;
	RETURN NULL;
END $$;

-- A document issued about a person: listed in the views of the accounts that see the person, and
-- its content published on its own (keyed by the document) where an account may see it at all.
CREATE FUNCTION projection_mark_document() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM public.projection_mark_people(
		(SELECT array_agg(subject_atena_number) FROM changed),
		(SELECT array_agg(municipality_code) FROM changed));
	INSERT INTO public.projection_pending (topic, municipality_code, key)
	SELECT 'document', changed.municipality_code, changed.id::text
	FROM changed
	WHERE EXISTS (SELECT 1 FROM public.resident_account account
			WHERE account.municipality_code = changed.municipality_code
				AND account.atena_number = changed.subject_atena_number)
		OR EXISTS (SELECT 1 FROM public.guardianship link
			JOIN public.resident_account account
				ON account.municipality_code = link.municipality_code
				AND account.atena_number = link.guardian_atena_number
			WHERE link.municipality_code = changed.municipality_code
				AND link.child_atena_number = changed.subject_atena_number);
	RETURN NULL;
END $$;

-- An institution's name is shown with each dose given there.
CREATE FUNCTION projection_mark_institution() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM public.projection_mark_people(array_agg(dose.atena_number), array_agg(dose.municipality_code))
	FROM (SELECT DISTINCT dose.atena_number, dose.municipality_code
		FROM changed JOIN public.vaccination_dose dose
			ON dose.municipality_code = changed.municipality_code
			AND dose.institution_code = changed.institution_code) AS dose;
	RETURN NULL;
END $$;
`.execute(db);

	// One trigger per table and event: a trigger with transition tables takes one event.
	const marks: [table: string, fn: string][] = [
		['resident', 'projection_mark_resident'],
		['vaccination_dose', 'projection_mark_resident'],
		['guardianship', 'projection_mark_guardian'],
		['resident_account', 'projection_mark_account'],
		['signed_act', 'projection_mark_consent'],
		['resident_notice', 'projection_mark_notice'],
		['issued_document', 'projection_mark_document'],
		['vaccine', 'projection_mark_catalogue'],
		['vaccine_dose', 'projection_mark_catalogue'],
		['medical_institution', 'projection_mark_institution']
	];
	for (const [table, fn] of marks) {
		for (const [event, transition] of [
			['INSERT', 'NEW'],
			['UPDATE', 'NEW'],
			['DELETE', 'OLD']
		] as const) {
			// signed_act is never updated or deleted (a signature stands); the others may be.
			if (table === 'signed_act' && event !== 'INSERT') continue;
			await sql
				.raw(
					`CREATE TRIGGER ${table}_projection_${event.toLowerCase()} AFTER ${event} ON ${table}
	REFERENCING ${transition} TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`
				)
				.execute(db);
		}
	}

	await sql`
REVOKE ALL ON FUNCTION projection_mark_people(text[], text[]), projection_mark_resident(),
	projection_mark_guardian(), projection_mark_account(), projection_mark_consent(),
	projection_mark_catalogue(), projection_mark_institution(), projection_mark_notice(),
	projection_mark_document() FROM PUBLIC;
GRANT SELECT, DELETE ON projection_pending TO vaccination_backoffice;
GRANT USAGE ON SEQUENCE projection_version TO vaccination_backoffice;

-- Whether a notice was seen is the portal's own state now (its notice_seen): nobody updates a
-- notice here any more, and the portal only writes them (a passkey's events, until those travel
-- the exchange too).
ALTER TABLE resident_notice DROP COLUMN read_at;
REVOKE UPDATE ON resident_notice FROM vaccination_portal, vaccination_backoffice;
REVOKE SELECT ON resident_notice FROM vaccination_portal;

-- Everything that exists now is published once.
INSERT INTO projection_pending (topic, municipality_code, key)
SELECT 'account', municipality_code, id::text FROM resident_account
UNION ALL
SELECT 'catalogue', municipality_code, municipality_code FROM municipality
UNION ALL
SELECT 'document', document.municipality_code, document.id::text
FROM issued_document document
WHERE document.released_at IS NOT NULL
	AND (document.available_until IS NULL OR document.available_until > now())
	AND EXISTS (SELECT 1 FROM resident_account account
		WHERE account.municipality_code = document.municipality_code
			AND (account.atena_number = document.subject_atena_number
				OR account.atena_number IN (SELECT guardian_atena_number FROM guardianship link
					WHERE link.municipality_code = document.municipality_code
						AND link.child_atena_number = document.subject_atena_number)));
`.execute(db);
}
