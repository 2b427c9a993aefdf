// The city's settings on the projection (issue 27, docs/zones.md): its names, the desk's contact,
// fees, the clocks of the desk and of sessions, the passkey policy — public facts the portal reads
// on every page — are published to the portal zone (topic 'city', keyed by the municipality
// code), so the portal no longer reads the municipality table of the back office's database.
// Marked by a trigger on any change to a city; grants unchanged.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
ALTER TABLE projection_pending DROP CONSTRAINT projection_pending_topic_check;
ALTER TABLE projection_pending ADD CONSTRAINT projection_pending_topic_check
	CHECK (topic IN ('account', 'catalogue', 'document', 'application', 'access', 'city'));

CREATE FUNCTION projection_mark_city() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	INSERT INTO public.projection_pending (topic, municipality_code, key)
	SELECT DISTINCT 'city', municipality_code, municipality_code FROM changed;
	RETURN NULL;
END $$;
CREATE TRIGGER municipality_projection_insert AFTER INSERT ON municipality
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION projection_mark_city();
CREATE TRIGGER municipality_projection_update AFTER UPDATE ON municipality
	REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION projection_mark_city();
REVOKE ALL ON FUNCTION projection_mark_city() FROM PUBLIC;

INSERT INTO projection_pending (topic, municipality_code, key)
SELECT 'city', municipality_code, municipality_code FROM municipality;
`.execute(db);
}
