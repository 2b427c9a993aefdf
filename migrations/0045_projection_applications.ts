// Applications on the projection (issue 27, docs/zones.md): an application the resident has sent
// is published to the portal zone — its status, reference, history, the 差し戻し items and, for a
// relief claim, its stages as the resident may see them — so the applications list and each
// application's page no longer read the back office's database. A draft is not published: it is
// the portal's own (and moves to the portal zone's database with the wizard).
//
// Marks, as in 0044, by statement-level triggers: a change to an application that is not a draft
// marks it (topic 'application', keyed by its id) and its applicant's account (whose view lists
// it); a transition, a relief claim's stage or event, and a document released for it mark the
// application. The marks are written as the owner; grants unchanged (no role may write a mark).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
ALTER TABLE projection_pending DROP CONSTRAINT projection_pending_topic_check;
ALTER TABLE projection_pending ADD CONSTRAINT projection_pending_topic_check
	CHECK (topic IN ('account', 'catalogue', 'document', 'application'));

-- The application (when sent, not a draft) and the account whose list shows it.
CREATE FUNCTION projection_mark_application() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	INSERT INTO public.projection_pending (topic, municipality_code, key)
	SELECT DISTINCT topic.name, changed.municipality_code, topic.key
	FROM changed
	CROSS JOIN LATERAL (VALUES ('application', changed.id::text),
		('account', changed.applicant_account_id::text)) AS topic (name, key)
	WHERE changed.status <> 'draft';
	RETURN NULL;
END $$;

-- What hangs off an application (its transitions, its relief claim and the claim's events): the
-- application's page shows it. The application is looked up to skip drafts and find its city.
CREATE FUNCTION projection_mark_application_of(p_applications uuid[])
RETURNS void LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
	INSERT INTO public.projection_pending (topic, municipality_code, key)
	SELECT DISTINCT 'application', application.municipality_code, application.id::text
	FROM public.application
	WHERE application.id = ANY (p_applications) AND application.status <> 'draft'
$$;

-- A row naming its application (a transition, a relief claim).
CREATE FUNCTION projection_mark_application_column() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM public.projection_mark_application_of((SELECT array_agg(application_id) FROM changed));
	RETURN NULL;
END $$;

CREATE FUNCTION projection_mark_relief_event() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM public.projection_mark_application_of(
		(SELECT array_agg(relief.application_id) FROM changed
			JOIN public.relief_case relief ON relief.id = changed.case_id));
	RETURN NULL;
END $$;

-- A document released for an application is listed on its page too (a relief claim's decision).
CREATE OR REPLACE FUNCTION projection_mark_document() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM public.projection_mark_people(
		(SELECT array_agg(subject_atena_number) FROM changed),
		(SELECT array_agg(municipality_code) FROM changed));
	PERFORM public.projection_mark_application_of(
		(SELECT array_agg(application_id) FROM changed WHERE application_id IS NOT NULL));
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
`.execute(db);

	const marks: [table: string, fn: string, events: ('INSERT' | 'UPDATE' | 'DELETE')[]][] = [
		['application', 'projection_mark_application', ['INSERT', 'UPDATE', 'DELETE']],
		// Transitions and a claim's events are only ever added.
		['application_transition', 'projection_mark_application_column', ['INSERT']],
		['relief_case', 'projection_mark_application_column', ['INSERT', 'UPDATE']],
		['relief_event', 'projection_mark_relief_event', ['INSERT']]
	];
	for (const [table, fn, events] of marks) {
		for (const event of events) {
			await sql
				.raw(
					`CREATE TRIGGER ${table}_projection_${event.toLowerCase()} AFTER ${event} ON ${table}
	REFERENCING ${event === 'DELETE' ? 'OLD' : 'NEW'} TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION ${fn}()`
				)
				.execute(db);
		}
	}

	await sql`
REVOKE ALL ON FUNCTION projection_mark_application(), projection_mark_application_of(uuid[]),
	projection_mark_application_column(), projection_mark_relief_event() FROM PUBLIC;

-- Every application sent until now is published once, with its applicant's list.
INSERT INTO projection_pending (topic, municipality_code, key)
SELECT 'application', municipality_code, id::text FROM application WHERE status <> 'draft'
UNION ALL
SELECT DISTINCT 'account', municipality_code, applicant_account_id::text
FROM application WHERE status <> 'draft';
`.execute(db);
}
