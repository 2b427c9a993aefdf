// A name in the Latin letters of a Japanese passport, from its 振り仮名 (旅券法施行規則第5条 and
// the 外務省's ヘボン式ローマ字綴方表). The rules differ from other Hepburn variants, and no
// maintained npm library implements them (`hepburn` and `wanakana` write long vowels and ン
// differently), so they are written here, table by table, with the passport office's examples as
// the test:
//  - ン is N, but M before B, M and P (難波 NAMBA, 本間 HOMMA, 新平 SHIMPEI);
//  - ッ doubles the next consonant, and is T before CH (八丁 HATCHO);
//  - long vowels are not written: OU and OO become O, UU becomes U (大野 ONO, 佑子 YUKO, 洋子
//    YOKO); the prolonged sound mark ー is dropped; EI and II stay (誠子 SEIKO, 飯田 IIDA).
// The result is only a suggestion: the form says it must match the passport, and it can be typed.
// prettier-ignore
const syllables: Record<string, string> = {
	ア: 'A', イ: 'I', ウ: 'U', エ: 'E', オ: 'O',
	カ: 'KA', キ: 'KI', ク: 'KU', ケ: 'KE', コ: 'KO',
	サ: 'SA', シ: 'SHI', ス: 'SU', セ: 'SE', ソ: 'SO',
	タ: 'TA', チ: 'CHI', ツ: 'TSU', テ: 'TE', ト: 'TO',
	ナ: 'NA', ニ: 'NI', ヌ: 'NU', ネ: 'NE', ノ: 'NO',
	ハ: 'HA', ヒ: 'HI', フ: 'FU', ヘ: 'HE', ホ: 'HO',
	マ: 'MA', ミ: 'MI', ム: 'MU', メ: 'ME', モ: 'MO',
	ヤ: 'YA', ユ: 'YU', ヨ: 'YO',
	ラ: 'RA', リ: 'RI', ル: 'RU', レ: 'RE', ロ: 'RO',
	ワ: 'WA', ヰ: 'I', ヱ: 'E', ヲ: 'O',
	ガ: 'GA', ギ: 'GI', グ: 'GU', ゲ: 'GE', ゴ: 'GO',
	ザ: 'ZA', ジ: 'JI', ズ: 'ZU', ゼ: 'ZE', ゾ: 'ZO',
	ダ: 'DA', ヂ: 'JI', ヅ: 'ZU', デ: 'DE', ド: 'DO',
	バ: 'BA', ビ: 'BI', ブ: 'BU', ベ: 'BE', ボ: 'BO',
	パ: 'PA', ピ: 'PI', プ: 'PU', ペ: 'PE', ポ: 'PO',
	ヴ: 'BU',
	キャ: 'KYA', キュ: 'KYU', キョ: 'KYO',
	シャ: 'SHA', シュ: 'SHU', ショ: 'SHO', シェ: 'SHE',
	チャ: 'CHA', チュ: 'CHU', チョ: 'CHO', チェ: 'CHE',
	ニャ: 'NYA', ニュ: 'NYU', ニョ: 'NYO',
	ヒャ: 'HYA', ヒュ: 'HYU', ヒョ: 'HYO',
	ミャ: 'MYA', ミュ: 'MYU', ミョ: 'MYO',
	リャ: 'RYA', リュ: 'RYU', リョ: 'RYO',
	ギャ: 'GYA', ギュ: 'GYU', ギョ: 'GYO',
	ジャ: 'JA', ジュ: 'JU', ジョ: 'JO', ジェ: 'JE',
	ヂャ: 'JA', ヂュ: 'JU', ヂョ: 'JO',
	ビャ: 'BYA', ビュ: 'BYU', ビョ: 'BYO',
	ピャ: 'PYA', ピュ: 'PYU', ピョ: 'PYO',
	ファ: 'FA', フィ: 'FI', フェ: 'FE', フォ: 'FO',
	ティ: 'TEI', ディ: 'DEI', ウィ: 'UI', ウェ: 'UE', ウォ: 'UO',
	ァ: 'A', ィ: 'I', ゥ: 'U', ェ: 'E', ォ: 'O', ャ: 'YA', ュ: 'YU', ョ: 'YO'
};

const toKatakana = (text: string) =>
	text.replace(/[\u3041-\u3096]/g, (character) =>
		String.fromCharCode(character.charCodeAt(0) + 0x60)
	);

/** One word (a family or a given name) in passport Hepburn; null if it holds no kana. */
function word(kana: string): string | null {
	const text = toKatakana(kana.normalize('NFKC')).replace(/ー/g, '');
	if (!/^[\u30a1-\u30fa]+$/.test(text)) return null;
	const parts: string[] = [];
	let index = 0;
	while (index < text.length) {
		const pair = syllables[text.slice(index, index + 2)];
		if (pair && text.length > index + 1 && /[ャュョァィゥェォ]/.test(text[index + 1]!)) {
			parts.push(pair);
			index += 2;
			continue;
		}
		const character = text[index]!;
		if (character === 'ッ' || character === 'ン') {
			parts.push(character);
			index += 1;
			continue;
		}
		const single = syllables[character];
		if (!single) return null;
		parts.push(single);
		index += 1;
	}
	let out = '';
	parts.forEach((part, at) => {
		const next = parts.slice(at + 1).find((candidate) => candidate !== 'ッ') ?? '';
		if (part === 'ン') out += /^[BMP]/.test(next) ? 'M' : 'N';
		else if (part === 'ッ') out += next.startsWith('CH') ? 'T' : (next[0] ?? '');
		// A long vowel is not written: O after O (OU, OO) and U after U.
		else if ((part === 'U' || part === 'O') && out.endsWith('O')) return;
		else if (part === 'U' && out.endsWith('U')) return;
		else out += part;
	});
	return out;
}

/** "ヤマダ\u3000ハナコ" → "YAMADA HANAKO"; null when the 振り仮名 cannot be read as kana. */
export function passportName(furigana: string): string | null {
	const words = furigana.normalize('NFKC').trim().split(/\s+/).filter(Boolean).map(word);
	if (words.length === 0 || words.some((part) => part === null)) return null;
	return words.join(' ');
}

/**
 * A person's name as an English page shows it: the registered name with its romaji beside it
 * ("山田 花子 (Yamada Hanako)"), the romaji read from the 振り仮名 as passports spell it. A name
 * already in Latin letters (many foreign residents') is shown as it is.
 */
export function nameInEnglish(person: { nameKanji: string; nameKana: string }): string {
	if (/^[\x20-\x7e\u00a0-\u024f　]+$/.test(person.nameKanji)) return person.nameKanji;
	const romaji = passportName(person.nameKana);
	if (!romaji) return person.nameKanji;
	const titled = romaji.replace(/\B[A-Z]+/g, (letters) => letters.toLowerCase());
	return `${person.nameKanji} (${titled})`;
}
