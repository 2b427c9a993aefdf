// 宛名検索 against a real PostgreSQL: the generated columns fold names exactly as the search
// does, so kana in any width or script, kanji and romaji find the person, and single items don't.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { foldKana, searchResidents } from '../../src/lib/server/residents/search';
import { freshDatabase, type TestDatabase } from '../support/database';
import { insertTestMunicipality, insertTestResident } from '../support/fixtures';

const city = '139998';
let database: TestDatabase;

beforeAll(async () => {
	database = await freshDatabase();
	await insertTestMunicipality(database.owner, city);
	for (const [atena, kanji, kana, romaji, birth] of [
		['601', '山田　太郎', 'ヤマダ　タロウ', 'Yamada Taro', '1990-04-01'],
		['602', '山田　花子', 'ヤマダ　ハナコ', 'Yamada Hanako', '1992-05-02'],
		['603', '田中　一郎', 'タナカ　イチロウ', null, '1990-04-01']
	] as const) {
		await insertTestResident(database.owner, city, atena, birth);
		await database.owner
			.updateTable('resident')
			.set({ name_kanji: kanji, name_kana: kana, name_romaji: romaji })
			.where('atena_number', '=', atena)
			.execute();
	}
});
afterAll(() => database.close());

const search = (values: Partial<Record<'name' | 'birthDate' | 'atena' | 'address', string>>) =>
	searchResidents(database.backoffice, city, {
		name: '',
		birthDate: '',
		atena: '',
		address: '',
		...values
	}).then((rows) => rows.map((row) => row.atenaNumber));

describe('宛名検索', () => {
	it('folds in the database exactly as in the code', async () => {
		const { rows } = await sql<{ name_kana: string; search_kana: string }>`
			SELECT name_kana, search_kana FROM resident WHERE municipality_code = ${city}`.execute(
			database.owner
		);
		for (const row of rows) expect(row.search_kana).toBe(foldKana(row.name_kana));
	});

	it('finds by name in any script and width together with the birth date', async () => {
		for (const name of ['やまだ', 'ﾔﾏﾀﾞ ﾀ', 'ヤマダ　タロウ', '山田 太', 'YAMADA', 'yamada taro']) {
			expect(await search({ name, birthDate: '1990-04-01' }), name).toEqual(['601']);
		}
		expect(await search({ name: 'やまだ', address: 'テスト市' })).toEqual(['601', '602']);
	});

	it('finds nothing from one item alone, and treats wildcards as letters', async () => {
		expect(await search({ name: 'やまだ' })).toEqual([]);
		expect(await search({ birthDate: '1990-04-01' })).toEqual([]);
		expect(await search({ name: '%', birthDate: '1990-04-01' })).toEqual([]);
		expect(await search({ atena: '603' })).toEqual(['603']);
	});
});
