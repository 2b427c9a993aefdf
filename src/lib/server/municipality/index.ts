// The municipality this deployment serves: MUNICIPALITY_CODE when set, otherwise the only one in
// the database. Public facts (names, desk contact, fees) only — no personal data.
import type { Selectable } from 'kysely';
import type { Executor, DB } from '../db';

export type Municipality = Selectable<DB['municipality']>;

export async function findServedMunicipality(
	db: Executor,
	code: string | undefined
): Promise<Municipality | null> {
	if (code) {
		return (
			(await db
				.selectFrom('municipality')
				.selectAll()
				.where('municipality_code', '=', code)
				.executeTakeFirst()) ?? null
		);
	}
	const rows = await db
		.selectFrom('municipality')
		.selectAll()
		.orderBy('municipality_code')
		.limit(2)
		.execute();
	return rows.length === 1 ? rows[0]! : null;
}

/** 全国地方公共団体コード check digit (JIS X 0401/0402): weights 6,5,4,3,2 modulo 11. */
export function isValidMunicipalityCode(code: string): boolean {
	if (!/^[0-9]{6}$/.test(code)) return false;
	const sum = [6, 5, 4, 3, 2].reduce(
		(total, weight, index) => total + Number(code[index]) * weight,
		0
	);
	const remainder = sum % 11;
	const check = remainder === 0 ? 0 : (11 - remainder) % 10;
	return check === Number(code[5]);
}
