// The fictional demo city, さくら台市 (Sakuradai City, Tokyo). Its 全国地方公共団体コード 139998
// has a valid check digit but belongs to no real municipality.
export const demoMunicipality = {
	municipality_code: '139998',
	prefecture_ja: '東京都',
	prefecture_en: 'Tokyo',
	name_ja: 'さくら台市',
	name_kana: 'さくらだいし',
	name_en: 'Sakuradai City',
	mayor_title_ja: 'さくら台市長',
	mayor_title_en: 'Mayor of Sakuradai City',
	division_ja: '健康福祉部 健康増進課',
	division_en: 'Health Promotion Division, Department of Health and Welfare',
	division_phone: '042-000-2222',
	desk_name_ja: '総務部 行政管理課 情報公開・個人情報保護窓口',
	desk_name_en: 'Information Disclosure and Privacy Desk, Administrative Management Division',
	desk_postal_code: '190-0112',
	desk_address_ja: '東京都さくら台市中央一丁目1番1号 市役所本庁舎2階',
	desk_address_en: 'City Hall 2F, 1-1-1 Chuo, Sakuradai City, Tokyo',
	desk_phone: '042-000-1111',
	desk_email: 'kojinjoho@city.sakuradai.example',
	desk_hours_ja: '平日 8時30分〜17時15分（土日祝日・年末年始を除く）',
	desk_hours_en: 'Weekdays 8:30–17:15 (closed weekends, public holidays and 29 Dec–3 Jan)',
	disclosure_deadline_days: 14,
	disclosure_extension_days: 30,
	certificate_fee_yen: 0,
	copy_fee_yen_per_page: 10,
	retention_years: {
		vaccination_record: 20,
		application: 5,
		relief_case: 30,
		disclosure_request: 5,
		audit_log: 7,
		audit_payload: 5
	}
} as const;

export const demoInstitutions: readonly {
	institution_code: string;
	name_ja: string;
	name_en: string;
	town: string;
}[] = [
	{
		institution_code: '1319000011',
		name_ja: 'さくら台市立総合病院',
		name_en: 'Sakuradai Municipal General Hospital',
		town: '中央'
	},
	{
		institution_code: '1319000029',
		name_ja: 'さくら台こどもクリニック',
		name_en: 'Sakuradai Children’s Clinic',
		town: '桜台'
	},
	{
		institution_code: '1319000037',
		name_ja: '緑が丘小児科医院',
		name_en: 'Midorigaoka Pediatric Clinic',
		town: '緑が丘'
	},
	{
		institution_code: '1319000045',
		name_ja: '本町内科クリニック',
		name_en: 'Honcho Internal Medicine Clinic',
		town: '本町'
	},
	{
		institution_code: '1319000052',
		name_ja: '東町ファミリークリニック',
		name_en: 'Higashimachi Family Clinic',
		town: '東町'
	},
	{
		institution_code: '1319000060',
		name_ja: '西町医院',
		name_en: 'Nishimachi Clinic',
		town: '西町'
	},
	{
		institution_code: '1319000078',
		name_ja: '南台キッズクリニック',
		name_en: 'Minamidai Kids Clinic',
		town: '南台'
	},
	{
		institution_code: '1319000086',
		name_ja: '北原内科・小児科',
		name_en: 'Kitahara Internal Medicine and Pediatrics',
		town: '北原'
	},
	{
		institution_code: '1319000094',
		name_ja: '若葉町診療所',
		name_en: 'Wakabacho Clinic',
		town: '若葉町'
	},
	{
		institution_code: '1319000102',
		name_ja: '旭町あおば小児科',
		name_en: 'Asahicho Aoba Pediatrics',
		town: '旭町'
	},
	{
		institution_code: '1319000110',
		name_ja: '富士見台クリニック',
		name_en: 'Fujimidai Clinic',
		town: '富士見'
	},
	{ institution_code: '1319000128', name_ja: '川端医院', name_en: 'Kawabata Clinic', town: '川端' }
];

/** One staff account per role, so every part of the product can be tried. */
export const demoStaff: readonly {
	login_id: string;
	display_name: string;
	department_ja: string;
	department_en: string;
	role: string;
}[] = [
	{
		login_id: 'caseworker',
		display_name: '健康 花子',
		department_ja: '健康増進課',
		department_en: 'Health Promotion Division',
		role: 'caseworker'
	},
	{
		login_id: 'approver',
		display_name: '係長 一郎',
		department_ja: '健康増進課',
		department_en: 'Health Promotion Division',
		role: 'approver'
	},
	{
		login_id: 'desk',
		display_name: '窓口 良子',
		department_ja: '行政管理課',
		department_en: 'Administrative Management Division',
		role: 'desk'
	},
	{
		login_id: 'auditor',
		display_name: '監査 誠',
		department_ja: '情報政策課',
		department_en: 'Information Policy Division',
		role: 'auditor'
	},
	{
		login_id: 'admin',
		display_name: '管理 健',
		department_ja: '情報政策課',
		department_en: 'Information Policy Division',
		role: 'admin'
	},
	{
		login_id: 'contractor',
		display_name: '入力 委託',
		department_ja: '入力委託事業者',
		department_en: 'Data-entry contractor',
		role: 'contractor'
	},
	{
		login_id: 'relief',
		display_name: '救済 和子',
		department_ja: '健康増進課',
		department_en: 'Health Promotion Division',
		role: 'relief_officer'
	}
];
