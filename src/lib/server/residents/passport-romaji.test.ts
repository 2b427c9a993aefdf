import { describe, expect, it } from 'vitest';
import { nameInEnglish, passportName } from './passport-romaji';

// Examples of the 外務省's ヘボン式ローマ字綴方表 and its notes on 撥音, 促音 and 長音.
const examples: [string, string][] = [
	['ヤマダ　ハナコ', 'YAMADA HANAKO'],
	['なんば', 'NAMBA'],
	['ほんま', 'HOMMA'],
	['しんぺい', 'SHIMPEI'],
	['けんいち', 'KENICHI'],
	['はっとり', 'HATTORI'],
	['きっかわ', 'KIKKAWA'],
	['はっちょう', 'HATCHO'],
	['おおの', 'ONO'],
	['さいとう', 'SAITO'],
	['ゆうこ', 'YUKO'],
	['ようこ', 'YOKO'],
	['こうの', 'KONO'],
	['いいだ', 'IIDA'],
	['せいこ', 'SEIKO'],
	['しょうた', 'SHOTA'],
	['りょう', 'RYO'],
	['きょうこ', 'KYOKO'],
	['じゅんいち', 'JUNICHI'],
	['ちえ', 'CHIE'],
	['つよし', 'TSUYOSHI'],
	['ふじ', 'FUJI'],
	['ジョージ', 'JOJI'],
	['ヂヅ', 'JIZU'],
	['ｻﾄｳ ﾀﾛｳ', 'SATO TARO']
];

describe('passport Hepburn', () => {
	it.each(examples)('%s → %s', (kana, expected) => {
		expect(passportName(kana)).toBe(expected);
	});

	it('gives up on what is not kana', () => {
		expect(passportName('山田 花子')).toBeNull();
		expect(passportName('')).toBeNull();
	});
});

describe('a name on an English page', () => {
	it('shows the romaji beside the kanji, and a Latin name as it is', () => {
		expect(nameInEnglish({ nameKanji: '山田　花子', nameKana: 'ヤマダ　ハナコ' })).toBe(
			'山田　花子 (Yamada Hanako)'
		);
		expect(nameInEnglish({ nameKanji: 'Smith John', nameKana: 'スミス　ジョン' })).toBe(
			'Smith John'
		);
	});
});
