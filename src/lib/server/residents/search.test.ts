import { describe, expect, it } from 'vitest';
import { enoughCriteria, foldKana, foldKanji, foldRomaji, nameScript } from './search';

const criteria = (values: Partial<Record<'name' | 'birthDate' | 'atena' | 'address', string>>) => ({
	name: '',
	birthDate: '',
	atena: '',
	address: '',
	...values
});

describe('宛名検索 folding', () => {
	it('reads katakana, hiragana, half width and spaces as the same kana', () => {
		const expected = 'やまだたろう';
		for (const typed of ['ヤマダ タロウ', 'やまだ　たろう', 'ﾔﾏﾀﾞ ﾀﾛｳ', 'ヤマダタロウ']) {
			expect(foldKana(typed)).toBe(expected);
		}
		expect(foldKana('ヴァイオリン')).toBe('ゔぁいおりん');
	});

	it('folds kanji and romaji the same way whatever the width and spacing', () => {
		expect(foldKanji('山田　太郎')).toBe('山田太郎');
		expect(foldRomaji('ＹＡＭＡＤＡ Taro')).toBe('yamadataro');
		expect(foldRomaji('SMITH-JONES')).toBe('smithjones');
	});

	it('tells which script a typed name is in', () => {
		expect(nameScript('ﾔﾏﾀﾞ')).toBe('kana');
		expect(nameScript('やまだ')).toBe('kana');
		expect(nameScript('Yamada')).toBe('romaji');
		expect(nameScript('山田')).toBe('kanji');
	});

	it('never searches by one item alone, except the 宛名番号', () => {
		expect(enoughCriteria(criteria({ name: 'やまだ' }))).toBe(false);
		expect(enoughCriteria(criteria({ address: '富士見' }))).toBe(false);
		expect(enoughCriteria(criteria({ name: 'やまだ', birthDate: '2020-01-01' }))).toBe(true);
		expect(enoughCriteria(criteria({ name: 'やまだ', address: '富士見' }))).toBe(true);
		expect(enoughCriteria(criteria({ atena: '123' }))).toBe(true);
	});
});
