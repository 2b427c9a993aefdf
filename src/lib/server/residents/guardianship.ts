// Household-derived 法定代理人 links, recomputed from the register for the households a change
// touched: a child under 18 and the adult 世帯主 / spouse living in the same household, both on
// the register. Links recorded at the desk from a court decision are never touched, a link under
// a DV 支援措置 is never deleted (its flag must survive the person moving back), and links that
// already ended (the child turned 18) stay as history.
import { sql } from 'kysely';
import type { Executor } from '../db';
import { householdChildRelationship, householdGuardianRelationships } from './registry-feed';

export type GuardianshipChanges = { added: number; removed: number; updated: number };

export async function recomputeHouseholdGuardianships(
	db: Executor,
	municipalityCode: string,
	households: string[],
	today: string
): Promise<GuardianshipChanges> {
	const total: GuardianshipChanges = { added: 0, removed: 0, updated: 0 };
	const guardians = sql.join(householdGuardianRelationships.map((relation) => sql`${relation}`));
	for (let start = 0; start < households.length; start += 5000) {
		const chunk = households.slice(start, start + 5000);
		const { rows } = await sql<{ added: string; removed: string; updated: string }>`
WITH members AS (
	SELECT atena_number, household_number, relationship, birth_date, became_resident_on, status
	FROM resident
	WHERE municipality_code = ${municipalityCode} AND household_number = ANY(${chunk}::text[])
),
desired AS (
	SELECT g.atena_number AS guardian, c.atena_number AS child,
		greatest(c.became_resident_on, g.became_resident_on) AS valid_from,
		(c.birth_date + interval '18 years' - interval '1 day')::date AS valid_until
	FROM members c
	JOIN members g ON g.household_number = c.household_number AND g.atena_number <> c.atena_number
	WHERE c.status = 'resident' AND g.status = 'resident'
		AND c.relationship = ${householdChildRelationship}
		AND g.relationship IN (${guardians})
		AND (c.birth_date + interval '18 years')::date > ${today}::date
		AND (g.birth_date + interval '18 years')::date <= ${today}::date
),
removed AS (
	DELETE FROM guardianship AS link
	WHERE link.municipality_code = ${municipalityCode}
		AND link.source = 'household' AND NOT link.suppressed_for_dv
		AND link.valid_until >= ${today}::date
		AND (link.child_atena_number IN (SELECT atena_number FROM members)
			OR link.guardian_atena_number IN (SELECT atena_number FROM members))
		AND NOT EXISTS (SELECT FROM desired
			WHERE desired.guardian = link.guardian_atena_number AND desired.child = link.child_atena_number)
	RETURNING 1
),
updated AS (
	UPDATE guardianship AS link
	SET valid_from = desired.valid_from, valid_until = desired.valid_until, updated_at = now()
	FROM desired
	WHERE link.municipality_code = ${municipalityCode} AND link.source = 'household'
		AND link.guardian_atena_number = desired.guardian AND link.child_atena_number = desired.child
		AND (link.valid_from, link.valid_until) IS DISTINCT FROM (desired.valid_from, desired.valid_until)
	RETURNING 1
),
added AS (
	INSERT INTO guardianship (municipality_code, guardian_atena_number, child_atena_number, source,
		valid_from, valid_until)
	SELECT ${municipalityCode}, guardian, child, 'household', valid_from, valid_until FROM desired
	ON CONFLICT (municipality_code, guardian_atena_number, child_atena_number) DO NOTHING
	RETURNING 1
)
SELECT (SELECT count(*) FROM added) AS added, (SELECT count(*) FROM removed) AS removed,
	(SELECT count(*) FROM updated) AS updated`.execute(db);
		const row = rows[0]!;
		total.added += Number(row.added);
		total.removed += Number(row.removed);
		total.updated += Number(row.updated);
	}
	return total;
}
