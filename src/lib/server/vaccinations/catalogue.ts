// The routine schedule (定期接種) as data, loaded into vaccine / vaccine_dose for each city.
// Sources: 予防接種法施行令・施行規則 and the MHLW routine schedule as of FY2026 [bg]. Windows are
// durations from the date of birth (ISO-8601); see eligibility.ts for how each rule is read.
// A city may add 行政措置 vaccines as further rows; these are the statutory ones.

export type WindowRule = 'age' | 'preschool_year' | 'fiscal_year' | 'annual_season';

export type CatalogueDose = {
	doseCode: string;
	labelJa: string;
	labelEn: string;
	windowRule: WindowRule;
	eligibleFrom: string;
	eligibleUntil: string | null;
	recommendedFrom?: string;
	recommendedUntil?: string;
	minIntervalDays?: number;
	repeatsYearly?: boolean;
	noteJa?: string;
	noteEn?: string;
};

export type CatalogueVaccine = {
	vaccineCode: string;
	category: 'A' | 'B';
	nameJa: string;
	nameEn: string;
	diseasesEn: string;
	/** The CDC's CVX code (SMART Health Cards and other systems abroad read it). */
	cvx: string;
	doses: CatalogueDose[];
};

const primarySeries = (
	from: string,
	until: string,
	count: number,
	options: { recommendedUntil?: string; interval?: number } = {}
): CatalogueDose[] =>
	Array.from({ length: count }, (_, index) => ({
		doseCode: `primary_${index + 1}`,
		labelJa: `1期初回 ${index + 1}回目`,
		labelEn: `Primary series, dose ${index + 1}`,
		windowRule: 'age' as const,
		eligibleFrom: from,
		eligibleUntil: until,
		recommendedFrom: from,
		recommendedUntil: options.recommendedUntil,
		minIntervalDays: index === 0 ? undefined : (options.interval ?? 20)
	}));

/** Dose n of a simple numbered series ("n回目"); minIntervalDays counts from the previous dose. */
const nthDose = (
	n: number,
	from: string,
	until: string | null,
	minIntervalDays?: number
): CatalogueDose => ({
	doseCode: `dose_${n}`,
	labelJa: `${n}回目`,
	labelEn: `Dose ${n}`,
	windowRule: 'age',
	eligibleFrom: from,
	eligibleUntil: until,
	minIntervalDays
});

export const routineSchedule: CatalogueVaccine[] = [
	{
		vaccineCode: 'dpt_ipv_hib',
		category: 'A',
		nameJa: '五種混合（DPT-IPV-Hib）',
		nameEn: 'DTaP-IPV-Hib (pentavalent)',
		diseasesEn: 'Diphtheria, pertussis, tetanus, polio, Haemophilus influenzae type b',
		cvx: '120',
		doses: [
			...primarySeries('P2M', 'P90M', 3, { recommendedUntil: 'P7M' }),
			{
				doseCode: 'booster',
				labelJa: '1期追加',
				labelEn: 'Booster',
				windowRule: 'age',
				eligibleFrom: 'P2M',
				eligibleUntil: 'P90M',
				recommendedFrom: 'P12M',
				recommendedUntil: 'P18M',
				minIntervalDays: 183,
				noteJa: '初回接種終了後6か月以上の間隔をおく',
				noteEn: 'At least 6 months after the third primary dose'
			}
		]
	},
	{
		vaccineCode: 'dpt_ipv',
		category: 'A',
		nameJa: '四種混合（DPT-IPV）',
		nameEn: 'DTaP-IPV (quadrivalent)',
		diseasesEn: 'Diphtheria, pertussis, tetanus, polio',
		cvx: '130',
		doses: [
			...primarySeries('P2M', 'P90M', 3),
			{
				doseCode: 'booster',
				labelJa: '1期追加',
				labelEn: 'Booster',
				windowRule: 'age',
				eligibleFrom: 'P2M',
				eligibleUntil: 'P90M',
				minIntervalDays: 183,
				noteJa: '2024年3月以前に接種を開始した人が対象',
				noteEn: 'For children who started the series before April 2024'
			}
		]
	},
	{
		vaccineCode: 'hib',
		category: 'A',
		nameJa: 'ヒブ（Hib）',
		nameEn: 'Haemophilus influenzae type b (Hib)',
		diseasesEn: 'Haemophilus influenzae type b',
		cvx: '17',
		doses: [
			...primarySeries('P2M', 'P60M', 3, { interval: 27 }),
			{
				doseCode: 'booster',
				labelJa: '追加',
				labelEn: 'Booster',
				windowRule: 'age',
				eligibleFrom: 'P2M',
				eligibleUntil: 'P60M',
				minIntervalDays: 210,
				noteJa: '四種混合を接種する人が対象',
				noteEn: 'For children on the DTaP-IPV (quadrivalent) schedule'
			}
		]
	},
	{
		vaccineCode: 'pcv',
		category: 'A',
		nameJa: '小児用肺炎球菌',
		nameEn: 'Pneumococcal conjugate (children)',
		diseasesEn: 'Invasive pneumococcal disease',
		cvx: '152',
		doses: [
			...primarySeries('P2M', 'P60M', 3, { interval: 27, recommendedUntil: 'P7M' }),
			{
				doseCode: 'booster',
				labelJa: '追加',
				labelEn: 'Booster',
				windowRule: 'age',
				eligibleFrom: 'P12M',
				eligibleUntil: 'P60M',
				recommendedFrom: 'P12M',
				recommendedUntil: 'P15M',
				minIntervalDays: 60
			}
		]
	},
	{
		vaccineCode: 'hepatitis_b',
		category: 'A',
		nameJa: 'B型肝炎',
		nameEn: 'Hepatitis B',
		diseasesEn: 'Hepatitis B',
		cvx: '45',
		doses: [
			{ ...nthDose(1, 'P0D', 'P1Y'), recommendedFrom: 'P2M', recommendedUntil: 'P9M' },
			{ ...nthDose(2, 'P0D', 'P1Y', 27) },
			{
				...nthDose(3, 'P0D', 'P1Y', 139),
				noteJa: '1回目から139日以上',
				noteEn: 'At least 139 days after dose 1'
			}
		]
	},
	{
		vaccineCode: 'rotavirus',
		category: 'A',
		nameJa: 'ロタウイルス',
		nameEn: 'Rotavirus',
		diseasesEn: 'Rotavirus gastroenteritis',
		cvx: '122',
		doses: [
			{
				...nthDose(1, 'P6W', 'P32W'),
				recommendedUntil: 'P14W6D',
				noteJa: '1価は24週、5価は32週まで',
				noteEn: 'Monovalent until 24 weeks, pentavalent until 32 weeks of age'
			},
			{ ...nthDose(2, 'P6W', 'P32W', 27) },
			{
				...nthDose(3, 'P6W', 'P32W', 27),
				noteJa: '5価ワクチンのみ',
				noteEn: 'Pentavalent vaccine only'
			}
		]
	},
	{
		vaccineCode: 'bcg',
		category: 'A',
		nameJa: 'BCG',
		nameEn: 'BCG',
		diseasesEn: 'Tuberculosis',
		cvx: '19',
		doses: [
			{
				...nthDose(1, 'P0D', 'P1Y'),
				doseCode: 'single',
				labelJa: '1回',
				labelEn: 'Single dose',
				recommendedFrom: 'P5M',
				recommendedUntil: 'P8M'
			}
		]
	},
	{
		vaccineCode: 'mr',
		category: 'A',
		nameJa: '麻しん風しん混合（MR）',
		nameEn: 'Measles-rubella (MR)',
		diseasesEn: 'Measles, rubella',
		cvx: '04',
		doses: [
			{
				doseCode: 'period_1',
				labelJa: '1期',
				labelEn: 'Stage 1',
				windowRule: 'age',
				eligibleFrom: 'P1Y',
				eligibleUntil: 'P2Y'
			},
			{
				doseCode: 'period_2',
				labelJa: '2期',
				labelEn: 'Stage 2',
				windowRule: 'preschool_year',
				eligibleFrom: 'P5Y',
				eligibleUntil: 'P7Y',
				noteJa: '小学校就学前の1年間（年長児）',
				noteEn: 'The year before entering elementary school'
			}
		]
	},
	{
		vaccineCode: 'varicella',
		category: 'A',
		nameJa: '水痘',
		nameEn: 'Varicella',
		diseasesEn: 'Chickenpox',
		cvx: '21',
		doses: [
			{ ...nthDose(1, 'P1Y', 'P3Y'), recommendedUntil: 'P15M' },
			{
				...nthDose(2, 'P1Y', 'P3Y', 90),
				noteJa: '1回目から3か月以上',
				noteEn: 'At least 3 months after dose 1'
			}
		]
	},
	{
		vaccineCode: 'japanese_encephalitis',
		category: 'A',
		nameJa: '日本脳炎',
		nameEn: 'Japanese encephalitis',
		diseasesEn: 'Japanese encephalitis',
		cvx: '129',
		doses: [
			...primarySeries('P6M', 'P90M', 2, { interval: 6 }).map((dose) => ({
				...dose,
				recommendedFrom: 'P3Y',
				recommendedUntil: 'P4Y'
			})),
			{
				doseCode: 'booster',
				labelJa: '1期追加',
				labelEn: 'Stage 1 booster',
				windowRule: 'age',
				eligibleFrom: 'P6M',
				eligibleUntil: 'P90M',
				minIntervalDays: 183,
				recommendedFrom: 'P4Y',
				recommendedUntil: 'P5Y'
			},
			{
				doseCode: 'period_2',
				labelJa: '2期',
				labelEn: 'Stage 2',
				windowRule: 'age',
				eligibleFrom: 'P9Y',
				eligibleUntil: 'P13Y',
				recommendedFrom: 'P9Y',
				recommendedUntil: 'P10Y'
			}
		]
	},
	{
		vaccineCode: 'dt',
		category: 'A',
		nameJa: '二種混合（DT）',
		nameEn: 'Diphtheria-tetanus (DT)',
		diseasesEn: 'Diphtheria, tetanus',
		cvx: '28',
		doses: [
			{
				doseCode: 'period_2',
				labelJa: '2期',
				labelEn: 'Stage 2',
				windowRule: 'age',
				eligibleFrom: 'P11Y',
				eligibleUntil: 'P13Y'
			}
		]
	},
	{
		vaccineCode: 'hpv',
		category: 'A',
		nameJa: 'ヒトパピローマウイルス感染症（HPV）',
		nameEn: 'Human papillomavirus (HPV)',
		diseasesEn: 'HPV infection (cervical cancer prevention)',
		cvx: '137',
		doses: [1, 2, 3].map((n) => ({
			...nthDose(n, 'P12Y', 'P16Y', n === 1 ? undefined : 30),
			windowRule: 'fiscal_year' as const,
			noteJa: '小学校6年生から高校1年生相当の女子',
			noteEn: 'Girls from the 6th year of elementary school to the 1st year of high school'
		}))
	},
	{
		vaccineCode: 'influenza_elderly',
		category: 'B',
		nameJa: '高齢者インフルエンザ',
		nameEn: 'Influenza (older adults)',
		diseasesEn: 'Seasonal influenza',
		cvx: '88',
		doses: [
			{
				doseCode: 'season',
				labelJa: '毎年度1回',
				labelEn: 'Once each season',
				windowRule: 'annual_season',
				eligibleFrom: 'P65Y',
				eligibleUntil: null,
				repeatsYearly: true,
				noteJa: '60〜64歳で一定の障害がある人も対象',
				noteEn: 'Also people aged 60-64 with certain disabilities'
			}
		]
	},
	{
		vaccineCode: 'pneumococcal_elderly',
		category: 'B',
		nameJa: '高齢者肺炎球菌',
		nameEn: 'Pneumococcal (older adults)',
		diseasesEn: 'Pneumococcal disease',
		cvx: '109',
		doses: [
			{
				doseCode: 'single',
				labelJa: '1回',
				labelEn: 'Single dose',
				windowRule: 'fiscal_year',
				eligibleFrom: 'P65Y',
				eligibleUntil: 'P65Y',
				noteJa: '65歳となる年度',
				noteEn: 'In the fiscal year of turning 65'
			}
		]
	},
	{
		vaccineCode: 'covid19_elderly',
		category: 'B',
		nameJa: '新型コロナウイルス感染症',
		nameEn: 'COVID-19 (older adults)',
		diseasesEn: 'COVID-19',
		cvx: '213',
		doses: [
			{
				doseCode: 'season',
				labelJa: '毎年度1回',
				labelEn: 'Once each season',
				windowRule: 'annual_season',
				eligibleFrom: 'P65Y',
				eligibleUntil: null,
				repeatsYearly: true
			}
		]
	},
	{
		vaccineCode: 'herpes_zoster',
		category: 'B',
		nameJa: '帯状疱疹',
		nameEn: 'Herpes zoster (shingles)',
		diseasesEn: 'Herpes zoster',
		cvx: '188',
		doses: [
			{
				doseCode: 'dose_1',
				labelJa: '1回目',
				labelEn: 'Dose 1',
				windowRule: 'fiscal_year',
				eligibleFrom: 'P65Y',
				eligibleUntil: 'P65Y',
				noteJa: '65歳となる年度（生ワクチンは1回、組換えワクチンは2回）',
				noteEn: 'In the fiscal year of turning 65 (live vaccine: 1 dose; recombinant: 2 doses)'
			},
			{
				doseCode: 'dose_2',
				labelJa: '2回目（組換え）',
				labelEn: 'Dose 2 (recombinant)',
				windowRule: 'fiscal_year',
				eligibleFrom: 'P65Y',
				eligibleUntil: 'P66Y',
				minIntervalDays: 60
			}
		]
	}
];
