// Name and place material for the synthetic demo city: common Japanese surnames and given names
// with their readings (katakana, as 住民基本台帳 systems print 振り仮名) and passport-style romaji
// (ヘボン式). Every person made from them is fictional.

export type NamePart = readonly [kanji: string, kana: string, romaji: string];

export const surnames: readonly NamePart[] = [
	['佐藤', 'サトウ', 'SATO'],
	['鈴木', 'スズキ', 'SUZUKI'],
	['高橋', 'タカハシ', 'TAKAHASHI'],
	['田中', 'タナカ', 'TANAKA'],
	['伊藤', 'イトウ', 'ITO'],
	['渡辺', 'ワタナベ', 'WATANABE'],
	['山本', 'ヤマモト', 'YAMAMOTO'],
	['中村', 'ナカムラ', 'NAKAMURA'],
	['小林', 'コバヤシ', 'KOBAYASHI'],
	['加藤', 'カトウ', 'KATO'],
	['吉田', 'ヨシダ', 'YOSHIDA'],
	['山田', 'ヤマダ', 'YAMADA'],
	['佐々木', 'ササキ', 'SASAKI'],
	['山口', 'ヤマグチ', 'YAMAGUCHI'],
	['松本', 'マツモト', 'MATSUMOTO'],
	['井上', 'イノウエ', 'INOUE'],
	['木村', 'キムラ', 'KIMURA'],
	['林', 'ハヤシ', 'HAYASHI'],
	['斎藤', 'サイトウ', 'SAITO'],
	['清水', 'シミズ', 'SHIMIZU'],
	['山崎', 'ヤマザキ', 'YAMAZAKI'],
	['森', 'モリ', 'MORI'],
	['池田', 'イケダ', 'IKEDA'],
	['橋本', 'ハシモト', 'HASHIMOTO'],
	['阿部', 'アベ', 'ABE'],
	['石川', 'イシカワ', 'ISHIKAWA'],
	['山下', 'ヤマシタ', 'YAMASHITA'],
	['中島', 'ナカジマ', 'NAKAJIMA'],
	['石井', 'イシイ', 'ISHII'],
	['小川', 'オガワ', 'OGAWA'],
	['前田', 'マエダ', 'MAEDA'],
	['岡田', 'オカダ', 'OKADA'],
	['長谷川', 'ハセガワ', 'HASEGAWA'],
	['藤田', 'フジタ', 'FUJITA'],
	['後藤', 'ゴトウ', 'GOTO'],
	['近藤', 'コンドウ', 'KONDO'],
	['村上', 'ムラカミ', 'MURAKAMI'],
	['遠藤', 'エンドウ', 'ENDO'],
	['青木', 'アオキ', 'AOKI'],
	['坂本', 'サカモト', 'SAKAMOTO'],
	['斉藤', 'サイトウ', 'SAITO'],
	['福田', 'フクダ', 'FUKUDA'],
	['太田', 'オオタ', 'OTA'],
	['西村', 'ニシムラ', 'NISHIMURA'],
	['藤井', 'フジイ', 'FUJII'],
	['金子', 'カネコ', 'KANEKO'],
	['岡本', 'オカモト', 'OKAMOTO'],
	['藤原', 'フジワラ', 'FUJIWARA'],
	['中野', 'ナカノ', 'NAKANO'],
	['三浦', 'ミウラ', 'MIURA'],
	['原田', 'ハラダ', 'HARADA'],
	['中川', 'ナカガワ', 'NAKAGAWA'],
	['松田', 'マツダ', 'MATSUDA'],
	['竹内', 'タケウチ', 'TAKEUCHI'],
	['小野', 'オノ', 'ONO'],
	['田村', 'タムラ', 'TAMURA'],
	['中山', 'ナカヤマ', 'NAKAYAMA'],
	['和田', 'ワダ', 'WADA'],
	['石田', 'イシダ', 'ISHIDA'],
	['森田', 'モリタ', 'MORITA'],
	['上田', 'ウエダ', 'UEDA'],
	['原', 'ハラ', 'HARA'],
	['内田', 'ウチダ', 'UCHIDA'],
	['柴田', 'シバタ', 'SHIBATA'],
	['酒井', 'サカイ', 'SAKAI'],
	['工藤', 'クドウ', 'KUDO'],
	['横山', 'ヨコヤマ', 'YOKOYAMA'],
	['宮崎', 'ミヤザキ', 'MIYAZAKI'],
	['宮本', 'ミヤモト', 'MIYAMOTO'],
	['内藤', 'ナイトウ', 'NAITO'],
	['高木', 'タカギ', 'TAKAGI'],
	['安藤', 'アンドウ', 'ANDO']
];

export const maleGivenNames: readonly NamePart[] = [
	['蓮', 'レン', 'REN'],
	['湊', 'ミナト', 'MINATO'],
	['陽翔', 'ハルト', 'HARUTO'],
	['蒼', 'アオイ', 'AOI'],
	['樹', 'イツキ', 'ITSUKI'],
	['大和', 'ヤマト', 'YAMATO'],
	['悠真', 'ユウマ', 'YUMA'],
	['朝陽', 'アサヒ', 'ASAHI'],
	['颯', 'ハヤテ', 'HAYATE'],
	['陸', 'リク', 'RIKU'],
	['翔太', 'ショウタ', 'SHOTA'],
	['大輝', 'ダイキ', 'DAIKI'],
	['健太', 'ケンタ', 'KENTA'],
	['拓海', 'タクミ', 'TAKUMI'],
	['直樹', 'ナオキ', 'NAOKI'],
	['誠', 'マコト', 'MAKOTO'],
	['大輔', 'ダイスケ', 'DAISUKE'],
	['翔', 'ショウ', 'SHO'],
	['健一', 'ケンイチ', 'KENICHI'],
	['浩', 'ヒロシ', 'HIROSHI'],
	['隆', 'タカシ', 'TAKASHI'],
	['茂', 'シゲル', 'SHIGERU'],
	['清', 'キヨシ', 'KIYOSHI'],
	['勇', 'イサム', 'ISAMU'],
	['正雄', 'マサオ', 'MASAO'],
	['和夫', 'カズオ', 'KAZUO'],
	['修', 'オサム', 'OSAMU'],
	['博', 'ヒロシ', 'HIROSHI'],
	['一郎', 'イチロウ', 'ICHIRO'],
	['太郎', 'タロウ', 'TARO'],
	['純一', 'ジュンイチ', 'JUNICHI'],
	['亮', 'リョウ', 'RYO']
];

export const femaleGivenNames: readonly NamePart[] = [
	['陽葵', 'ヒマリ', 'HIMARI'],
	['凛', 'リン', 'RIN'],
	['芽依', 'メイ', 'MEI'],
	['結菜', 'ユイナ', 'YUINA'],
	['紬', 'ツムギ', 'TSUMUGI'],
	['澪', 'ミオ', 'MIO'],
	['葵', 'アオイ', 'AOI'],
	['結愛', 'ユア', 'YUA'],
	['咲良', 'サクラ', 'SAKURA'],
	['美咲', 'ミサキ', 'MISAKI'],
	['彩', 'アヤ', 'AYA'],
	['愛', 'アイ', 'AI'],
	['恵', 'メグミ', 'MEGUMI'],
	['陽子', 'ヨウコ', 'YOKO'],
	['裕子', 'ユウコ', 'YUKO'],
	['真由美', 'マユミ', 'MAYUMI'],
	['直美', 'ナオミ', 'NAOMI'],
	['久美子', 'クミコ', 'KUMIKO'],
	['明美', 'アケミ', 'AKEMI'],
	['幸子', 'サチコ', 'SACHIKO'],
	['和子', 'カズコ', 'KAZUKO'],
	['節子', 'セツコ', 'SETSUKO'],
	['洋子', 'ヨウコ', 'YOKO'],
	['京子', 'キョウコ', 'KYOKO'],
	['美穂', 'ミホ', 'MIHO'],
	['千尋', 'チヒロ', 'CHIHIRO'],
	['由美', 'ユミ', 'YUMI'],
	['香織', 'カオリ', 'KAORI'],
	['舞', 'マイ', 'MAI'],
	['優花', 'ユウカ', 'YUKA'],
	['琴音', 'コトネ', 'KOTONE'],
	['杏', 'アン', 'AN']
];

/** Foreign residents (住民区分 外国人): names as on the residence card, katakana reading. */
export const foreignFamilies: readonly {
	surname: NamePart;
	male: NamePart[];
	female: NamePart[];
	nationality: string;
}[] = [
	{
		surname: ['NGUYEN', 'グエン', 'NGUYEN'],
		male: [
			['VAN AN', 'ヴァン　アン', 'VAN AN'],
			['DUC MINH', 'ドゥック　ミン', 'DUC MINH']
		],
		female: [
			['THI LAN', 'ティ　ラン', 'THI LAN'],
			['THI HOA', 'ティ　ホア', 'THI HOA']
		],
		nationality: 'VN'
	},
	{
		surname: ['SANTOS', 'サントス', 'SANTOS'],
		male: [
			['JOSE', 'ジョゼ', 'JOSE'],
			['MARCO', 'マルコ', 'MARCO']
		],
		female: [
			['MARIA', 'マリア', 'MARIA'],
			['ANA', 'アナ', 'ANA']
		],
		nationality: 'PH'
	},
	{
		surname: ['王', 'ワン', 'WANG'],
		male: [
			['偉', 'ウェイ', 'WEI'],
			['浩然', 'ハオラン', 'HAORAN']
		],
		female: [
			['芳', 'ファン', 'FANG'],
			['静', 'ジン', 'JING']
		],
		nationality: 'CN'
	},
	{
		surname: ['金', 'キム', 'KIM'],
		male: [['民俊', 'ミンジュン', 'MINJUN']],
		female: [['瑞妍', 'ソヨン', 'SEOYEON']],
		nationality: 'KR'
	},
	{
		surname: ['SILVA', 'シルバ', 'SILVA'],
		male: [['LUCAS', 'ルーカス', 'LUCAS']],
		female: [['JULIA', 'ジュリア', 'JULIA']],
		nationality: 'BR'
	}
];

export type Town = { name: string; postalCode: string };

/** 町名 of the fictional さくら台市 with their (fictional) postal codes. */
export const towns: readonly Town[] = [
	{ name: '本町', postalCode: '190-0101' },
	{ name: '桜台', postalCode: '190-0102' },
	{ name: '緑が丘', postalCode: '190-0103' },
	{ name: '東町', postalCode: '190-0104' },
	{ name: '西町', postalCode: '190-0105' },
	{ name: '南台', postalCode: '190-0106' },
	{ name: '北原', postalCode: '190-0107' },
	{ name: '若葉町', postalCode: '190-0108' },
	{ name: '川端', postalCode: '190-0109' },
	{ name: '旭町', postalCode: '190-0110' },
	{ name: '富士見', postalCode: '190-0111' },
	{ name: '中央', postalCode: '190-0112' }
];
