// The 製造販売業者 of the vaccines used in Japan's routine and B類 programmes, with the English
// names they use abroad (their own corporate names), so that an English certificate never prints
// a Japanese-only manufacturer (issue 25, item 2). 予診票 and handbooks write them in many ways
// (full or short names, full-width letters); each is matched after NFKC and without spaces or the
// corporate suffix. A city adding a vaccine from another maker adds a row here.
export type Manufacturer = { ja: string; en: string; aliases?: string[] };

export const manufacturers: Manufacturer[] = [
	{
		ja: 'KMバイオロジクス',
		en: 'KM Biologics',
		aliases: ['KMB', '化血研', '化学及血清療法研究所']
	},
	{
		ja: 'BIKEN',
		en: 'BIKEN',
		aliases: ['阪大微生物病研究会', '阪大微研', 'ビケン', '田辺三菱製薬']
	},
	{
		ja: '第一三共',
		en: 'Daiichi Sankyo',
		aliases: ['第一三共バイオテック', '北里第一三共ワクチン']
	},
	{ ja: '武田薬品工業', en: 'Takeda', aliases: ['武田薬品', 'タケダ'] },
	{ ja: 'デンカ', en: 'Denka', aliases: ['デンカ生研'] },
	{ ja: '日本ビーシージー製造', en: 'Japan BCG Laboratory', aliases: ['日本BCG製造'] },
	{
		ja: 'Meiji Seika ファルマ',
		en: 'Meiji Seika Pharma',
		aliases: ['明治製菓', 'Meiji Seikaファルマ']
	},
	{ ja: 'ジャパンワクチン', en: 'Japan Vaccine' },
	{ ja: 'サノフィ', en: 'Sanofi', aliases: ['サノフィパスツール', 'Sanofi Pasteur'] },
	{ ja: 'MSD', en: 'MSD', aliases: ['エム・エス・ディー', 'メルク'] },
	{ ja: 'ファイザー', en: 'Pfizer' },
	{
		ja: 'グラクソ・スミスクライン',
		en: 'GSK',
		aliases: ['グラクソスミスクライン', 'ジーエスケー']
	},
	{ ja: 'モデルナ', en: 'Moderna', aliases: ['モデルナ・ジャパン'] },
	{ ja: 'アストラゼネカ', en: 'AstraZeneca' },
	{ ja: 'ノババックス', en: 'Novavax' }
];

const key = (name: string) =>
	name
		.normalize('NFKC')
		.replace(
			/\s|　|・|株式会社|\(株\)|（株）|合同会社|一般財団法人|一般社団法人|Inc\.?|Ltd\.?|Co\.?/gi,
			''
		)
		.toLowerCase();

const byKey = new Map(
	manufacturers.flatMap((maker) =>
		[maker.ja, maker.en, ...(maker.aliases ?? [])].map((name) => [key(name), maker] as const)
	)
);

/** The maker as written on the record, in English and Japanese; null when it is not known. */
export function manufacturerNames(recorded: string): { en: string; ja: string } | null {
	const maker = byKey.get(key(recorded));
	return maker ? { en: maker.en, ja: maker.ja } : null;
}
