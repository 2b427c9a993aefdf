// The demo household printed at start (issue 25: the one printed before had nothing to
// reissue): a parent with two children, the younger under one, so doses are due now (予診票の
// 再発行, 実施依頼書), the older past two with doses on record (英文予防接種証明書, also from the
// 母子健康手帳). A parent who already has a portal account is passed over.
import { sql } from 'kysely';
import type { Executor } from '../db';

export type DemoHousehold = {
	atena_number: string;
	name_kanji: string;
	birth_date: string;
	/** Younger first. */
	children: { atena_number: string; name_kanji: string }[];
};

export async function demoHousehold(
	db: Executor,
	municipalityCode: string,
	today: string
): Promise<DemoHousehold | null> {
	const { rows } = await sql<{
		atena_number: string;
		name_kanji: string;
		birth_date: string;
		children: string[];
		names: string[];
	}>`SELECT p.atena_number, p.name_kanji, p.birth_date::text AS birth_date,
			array_agg(c.atena_number ORDER BY c.birth_date DESC) AS children,
			array_agg(c.name_kanji ORDER BY c.birth_date DESC) AS names
		FROM guardianship g
		JOIN resident p ON p.municipality_code = g.municipality_code AND p.atena_number = g.guardian_atena_number
		JOIN resident c ON c.municipality_code = g.municipality_code AND c.atena_number = g.child_atena_number
		WHERE g.municipality_code = ${municipalityCode} AND NOT g.suppressed_for_dv
			AND g.valid_until > ${today}::date AND p.status = 'resident' AND c.status = 'resident'
			AND NOT EXISTS (SELECT 1 FROM resident_account a
				WHERE a.municipality_code = p.municipality_code AND a.atena_number = p.atena_number)
		GROUP BY p.atena_number, p.name_kanji, p.birth_date
		HAVING count(*) = 2 AND max(c.birth_date) > ${today}::date - interval '1 year'
			AND min(c.birth_date) < ${today}::date - interval '2 years'
			AND bool_and(EXISTS (SELECT 1 FROM vaccination_dose d
				WHERE d.municipality_code = c.municipality_code AND d.atena_number = c.atena_number)
				OR c.birth_date > ${today}::date - interval '1 year')
		ORDER BY p.atena_number LIMIT 1`.execute(db);
	const row = rows[0];
	if (!row) return null;
	return {
		atena_number: row.atena_number,
		name_kanji: row.name_kanji,
		birth_date: row.birth_date,
		children: row.children.map((atena, index) => ({
			atena_number: atena,
			name_kanji: row.names[index]!
		}))
	};
}
