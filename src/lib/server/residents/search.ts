// 宛名検索 (ACC-2): people are found by several items together — never by a name alone — and the
// name is compared as staff type it: full or half width, katakana or hiragana, with or without
// the space, in kana, kanji or romaji. The folding here is the same as the generated columns of
// migration 0015, so a query hits the prefix indexes. Results carry only what tells people apart.
import { z } from 'zod';
import type { Executor } from '../db';

const spaces = /[\s\u3000]/g;

export function foldKana(value: string): string {
	return value
		.normalize('NFKC')
		.replace(spaces, '')
		.replace(/[\u30a1-\u30f6]/g, (letter) => String.fromCharCode(letter.charCodeAt(0) - 0x60));
}
export const foldKanji = (value: string) => value.normalize('NFKC').replace(spaces, '');
export const foldRomaji = (value: string) =>
	value.normalize('NFKC').replace(spaces, '').replace(/-/g, '').toLowerCase();

/** Which column a typed name is compared with. */
export function nameScript(value: string): 'kana' | 'romaji' | 'kanji' {
	const folded = value.normalize('NFKC').replace(spaces, '');
	if (/^[\u3041-\u3096\u30a1-\u30faー]+$/.test(folded)) return 'kana';
	if (/^[A-Za-z-]+$/.test(folded)) return 'romaji';
	return 'kanji';
}

export const searchCriteria = z.object({
	name: z.string().trim().max(40).default(''),
	birthDate: z
		.string()
		.trim()
		.regex(/^(\d{4}-\d{2}-\d{2})?$/)
		.default(''),
	atena: z
		.string()
		.trim()
		.regex(/^[0-9]{0,15}$/)
		.default(''),
	address: z.string().trim().max(60).default('')
});
export type SearchCriteria = z.infer<typeof searchCriteria>;

/** ACC-2: a 宛名番号 alone, or at least two of name, birth date and address. */
export function enoughCriteria(criteria: SearchCriteria): boolean {
	if (criteria.atena) return true;
	return [criteria.name, criteria.birthDate, criteria.address].filter(Boolean).length >= 2;
}

export type SearchResult = {
	atenaNumber: string;
	nameKanji: string;
	nameKana: string;
	birthDate: string;
	address: string;
	status: string;
};

const escapeLike = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function searchResidents(
	db: Executor,
	municipalityCode: string,
	criteria: SearchCriteria,
	limit = 50
): Promise<SearchResult[]> {
	if (!enoughCriteria(criteria)) return [];
	let query = db
		.selectFrom('resident')
		.select(['atena_number', 'name_kanji', 'name_kana', 'birth_date', 'address', 'status'])
		.where('municipality_code', '=', municipalityCode);
	if (criteria.atena) query = query.where('atena_number', '=', criteria.atena);
	if (criteria.birthDate) query = query.where('birth_date', '=', criteria.birthDate);
	if (criteria.name) {
		const script = nameScript(criteria.name);
		const [column, folded] =
			script === 'kana'
				? (['search_kana', foldKana(criteria.name)] as const)
				: script === 'romaji'
					? (['search_romaji', foldRomaji(criteria.name)] as const)
					: (['search_kanji', foldKanji(criteria.name)] as const);
		query = query.where(column, 'like', `${escapeLike(folded)}%`);
	}
	if (criteria.address) {
		query = query.where('address', 'like', `%${escapeLike(criteria.address.normalize('NFKC'))}%`);
	}
	const rows = await query.orderBy('search_kana').orderBy('atena_number').limit(limit).execute();
	return rows.map((row) => ({
		atenaNumber: row.atena_number,
		nameKanji: row.name_kanji,
		nameKana: row.name_kana,
		birthDate: row.birth_date,
		address: row.address,
		status: row.status
	}));
}
