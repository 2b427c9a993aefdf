// Household-derived 法定代理人 links, recomputed from the register for the households a change
// touched: a child under 18 and the adult 世帯主 / spouse living in the same household, both on
// the register. Links recorded at the desk from a court decision are never touched, a link under
// a DV 支援措置 is never deleted (its flag must survive the person moving back), and links that
// already ended (the child turned 18) stay as history.
//
// Which links should exist is worked out here, in code, from the households' members; one
// statement then compares that with what is stored (a FULL JOIN, which PostgreSQL can only hash
// or merge) and applies the difference. Joining the freshly imported members to themselves in SQL
// let the planner, with statistics from before the import, pick nested loops over them.
import { sql } from 'kysely';
import type { Executor } from '../db';
import { addDays, addDuration } from '../time';
import { householdChildRelationship, householdGuardianRelationships } from './registry-feed';

export type GuardianshipChanges = { added: number; removed: number; updated: number };
type Link = { guardian: string; child: string; valid_from: string; valid_until: string };

type Member = {
	atena_number: string;
	household_number: string;
	relationship: string;
	birth_date: string;
	became_resident_on: string;
	status: string;
};

/** The links a household gives, as of `today`. */
export function householdLinks(members: Member[], today: string): Link[] {
	const guardianRelations: readonly string[] = householdGuardianRelationships;
	const present = members.filter((member) => member.status === 'resident');
	const adults = present.filter(
		(member) =>
			guardianRelations.includes(member.relationship) &&
			addDuration(member.birth_date, 'P18Y') <= today
	);
	const links: Link[] = [];
	for (const child of present) {
		if (child.relationship !== householdChildRelationship) continue;
		const eighteenth = addDuration(child.birth_date, 'P18Y');
		if (eighteenth <= today) continue;
		for (const guardian of adults) {
			if (guardian.atena_number === child.atena_number) continue;
			links.push({
				guardian: guardian.atena_number,
				child: child.atena_number,
				valid_from:
					guardian.became_resident_on > child.became_resident_on
						? guardian.became_resident_on
						: child.became_resident_on,
				valid_until: addDays(eighteenth, -1)
			});
		}
	}
	return links;
}

export async function recomputeHouseholdGuardianships(
	db: Executor,
	municipalityCode: string,
	households: string[],
	today: string
): Promise<GuardianshipChanges> {
	const total: GuardianshipChanges = { added: 0, removed: 0, updated: 0 };
	for (let start = 0; start < households.length; start += 5000) {
		const chunk = households.slice(start, start + 5000);
		const members = await db
			.selectFrom('resident')
			.select([
				'atena_number',
				'household_number',
				'relationship',
				'birth_date',
				'became_resident_on',
				'status'
			])
			.where('municipality_code', '=', municipalityCode)
			.where('household_number', 'in', chunk)
			.execute();
		const byHousehold = new Map<string, Member[]>();
		for (const member of members) {
			const list = byHousehold.get(member.household_number) ?? [];
			list.push(member);
			byHousehold.set(member.household_number, list);
		}
		const desired = [...byHousehold.values()].flatMap((household) =>
			householdLinks(household, today)
		);
		const atenas = members.map((member) => member.atena_number);
		const { rows } = await sql<{ added: string; removed: string; updated: string }>`
WITH desired AS (
	SELECT * FROM jsonb_to_recordset(${JSON.stringify(desired)}::jsonb)
		AS d (guardian text, child text, valid_from date, valid_until date)
),
-- What is there now for anyone in these households, as child or as guardian.
existing AS (
	SELECT guardian_atena_number AS guardian, child_atena_number AS child,
		valid_from, valid_until, source, suppressed_for_dv
	FROM guardianship
	WHERE municipality_code = ${municipalityCode}
		AND (child_atena_number = ANY(${atenas}::text[]) OR guardian_atena_number = ANY(${atenas}::text[]))
),
diff AS (
	SELECT coalesce(desired.guardian, existing.guardian) AS guardian,
		coalesce(desired.child, existing.child) AS child,
		desired.guardian IS NOT NULL AS wanted, existing.guardian IS NOT NULL AS present,
		desired.valid_from AS new_from, desired.valid_until AS new_until,
		existing.valid_from AS old_from, existing.valid_until AS old_until,
		existing.source, existing.suppressed_for_dv
	FROM desired FULL JOIN existing
		ON existing.guardian = desired.guardian AND existing.child = desired.child
),
removed AS (
	DELETE FROM guardianship AS link USING diff
	WHERE link.municipality_code = ${municipalityCode}
		AND link.guardian_atena_number = diff.guardian AND link.child_atena_number = diff.child
		AND NOT diff.wanted AND diff.source = 'household' AND NOT diff.suppressed_for_dv
		AND diff.old_until >= ${today}::date
	RETURNING 1
),
updated AS (
	UPDATE guardianship AS link
	SET valid_from = diff.new_from, valid_until = diff.new_until, updated_at = now()
	FROM diff
	WHERE link.municipality_code = ${municipalityCode}
		AND link.guardian_atena_number = diff.guardian AND link.child_atena_number = diff.child
		AND diff.wanted AND diff.present AND diff.source = 'household'
		AND (diff.old_from, diff.old_until) IS DISTINCT FROM (diff.new_from, diff.new_until)
	RETURNING 1
),
added AS (
	INSERT INTO guardianship (municipality_code, guardian_atena_number, child_atena_number, source,
		valid_from, valid_until)
	SELECT ${municipalityCode}, guardian, child, 'household', new_from, new_until
	FROM diff WHERE wanted AND NOT present
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
