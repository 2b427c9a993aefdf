import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/lib/server/audit/verify';
import { loadDemoCity } from '../../src/lib/server/demo/load';
import { generateHouseholds } from '../../src/lib/server/demo/generate';
import { demoHousehold } from '../../src/lib/server/demo/household';
import { vaccinationRecord } from '../../src/lib/server/residents/household';
import { openMyNumber } from '../../src/lib/server/mynumber/cipher';
import { freshDatabase, type TestDatabase } from '../support/database';

const key = { id: 'test', key: randomBytes(32) };
const options = { seed: '7', residents: 400, asOf: '2026-11-01', myNumberKey: key, batchSize: 97 };
let database: TestDatabase;

beforeAll(async () => {
	database = await freshDatabase();
});
afterAll(async () => database?.close());

describe('loading the demo city', () => {
	it('writes exactly what the generator made, with an audit entry', async () => {
		const result = await loadDemoCity(database.owner, options);
		const generated = [...generateHouseholds(options)];
		expect(result.residents).toBe(generated.flatMap((household) => household.residents).length);
		expect(result.doses).toBe(generated.flatMap((household) => household.doses).length);
		const count = async (table: string) =>
			Number(
				(
					await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(
						database.owner
					)
				).rows[0]!.n
			);
		expect(await count('resident')).toBe(result.residents);
		expect(await count('guardianship')).toBe(result.guardianships);
		expect(await count('vaccination_dose')).toBe(result.doses);
		expect(await count('mynumber.individual_number')).toBe(result.residents);
		expect(await count('staff_user')).toBe(7);
		expect(await count('vaccine')).toBe(16);
		const audit = await database.owner
			.selectFrom('audit.entry')
			.select(['action', 'actor_id'])
			.execute();
		expect(audit).toEqual([{ action: 'system.demo_load', actor_id: 'system:demo' }]);
		expect((await verifyAuditChain(database.owner)).firstBreak).toBeNull();
	});

	it('stores 個人番号 only encrypted, and it opens to the generated value', async () => {
		const first = [...generateHouseholds(options)][0]!.myNumbers[0]!;
		const row = await database.owner
			.selectFrom('mynumber.individual_number')
			.selectAll()
			.where('atena_number', '=', first.atena_number)
			.executeTakeFirstOrThrow();
		expect(row.ciphertext.toString('latin1')).not.toContain(first.value);
		const opened = openMyNumber(
			[key],
			{ municipalityCode: row.municipality_code, atenaNumber: row.atena_number },
			{
				keyId: row.key_id,
				nonce: row.nonce,
				ciphertext: row.ciphertext,
				authTag: row.auth_tag
			}
		);
		expect(opened).toBe(first.value);
		const dump = await sql<{
			text: string;
		}>`SELECT string_agg(t::text, '|') AS text FROM mynumber.individual_number t`.execute(
			database.owner
		);
		expect(dump.rows[0]!.text).not.toContain(first.value);
	});

	it('refuses to load twice', async () => {
		await expect(loadDemoCity(database.owner, options)).rejects.toThrow(/already loaded/);
	});

	it('can be read by the portal role (registry) but its 個人番号 cannot', async () => {
		const resident = await database.portal
			.selectFrom('resident')
			.select('name_kanji')
			.limit(1)
			.executeTakeFirstOrThrow();
		expect(resident.name_kanji).toMatch(/　| /);
		await expect(
			database.portal.selectFrom('mynumber.individual_number').selectAll().execute()
		).rejects.toThrow(/permission denied/);
	});
});

describe('the demo household printed at start', () => {
	// Issue 25: the household printed before had nothing to reissue, so a newcomer could not try
	// 予診票の再発行 at all.
	it('can try every request: doses due for the younger child, doses on record for the older', async () => {
		const household = (await demoHousehold(database.owner, '139998', options.asOf))!;
		expect(household.children).toHaveLength(2);
		const [younger, older] = await Promise.all(
			household.children.map(async (child) => {
				const person = await database.owner
					.selectFrom('resident')
					.select(['atena_number', 'name_kanji', 'name_kana', 'birth_date', 'sex'])
					.where('atena_number', '=', child.atena_number)
					.executeTakeFirstOrThrow();
				return vaccinationRecord(
					database.owner,
					'139998',
					{
						ref: '',
						atenaNumber: person.atena_number,
						relation: 'child',
						nameKanji: person.name_kanji,
						nameKana: person.name_kana,
						birthDate: person.birth_date,
						sex: person.sex as 'male' | 'female'
					},
					'ja',
					new Date(`${options.asOf}T03:00:00Z`)
				);
			})
		);
		expect(younger!.due.filter((dose) => dose.status === 'due').length).toBeGreaterThan(0);
		expect(older!.history.length).toBeGreaterThan(0);
	});
});
