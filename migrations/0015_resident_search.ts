// 宛名検索 (issue 5, ACC-2): names compared the way staff type them — full or half width,
// katakana or hiragana, with or without the space between family and given name. The folded
// forms are generated columns, so the registry import cannot forget them, with prefix indexes;
// addresses are searched by any part (trigram index).
import { sql, type Kysely } from 'kysely';

// ァ…ヶ → ぁ…ゖ: the katakana block and its hiragana counterpart, letter for letter.
const katakana = String.fromCharCode(
	...Array.from({ length: 0x30f6 - 0x30a1 + 1 }, (_, i) => 0x30a1 + i)
);
const hiragana = String.fromCharCode(
	...Array.from({ length: 0x3096 - 0x3041 + 1 }, (_, i) => 0x3041 + i)
);

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
CREATE EXTENSION IF NOT EXISTS pg_trgm;
ALTER TABLE resident
	ADD COLUMN search_kana text GENERATED ALWAYS AS (
		translate(normalize(name_kana, NFKC), ${sql.lit(`${katakana}  　`)}, ${sql.lit(hiragana)})) STORED,
	ADD COLUMN search_kanji text GENERATED ALWAYS AS (
		translate(normalize(name_kanji, NFKC), ' 　', '')) STORED,
	ADD COLUMN search_romaji text GENERATED ALWAYS AS (
		lower(translate(normalize(coalesce(name_romaji, ''), NFKC), ' 　-', ''))) STORED;
DROP INDEX resident_name_kana_idx; -- replaced by the folded form
CREATE INDEX resident_search_kana_idx ON resident (municipality_code, search_kana text_pattern_ops);
CREATE INDEX resident_search_kanji_idx ON resident (municipality_code, search_kanji text_pattern_ops);
CREATE INDEX resident_search_romaji_idx ON resident (municipality_code, search_romaji text_pattern_ops);
CREATE INDEX resident_address_trgm_idx ON resident USING gin (address gin_trgm_ops);
`.execute(db);
}
