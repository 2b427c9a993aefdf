// 予診票 (P1, reissue): the pre-vaccination questionnaire for one vaccine and dose, in Japanese as
// clinics expect it, with the person's registered details printed so the family only answers the
// questions on the day. The questions follow the national model form (予防接種ガイドライン).
import type { DoseLetterContent } from './dose-letter';
import { eraDate, japaneseDate } from './dates';
import { Layout } from './layout';

export type YoshinhyoContent = DoseLetterContent & { reissue: boolean };

const questions = [
	'今日受ける予防接種について市区町村から配られている説明書を読みましたか',
	'今日、体に具合の悪いところがありますか（具体的に： ）',
	'最近1か月以内に病気にかかりましたか（病名： ）',
	'1か月以内に家族や遊び仲間に麻しん、風しん、水痘、おたふくかぜなどの病気の方がいましたか',
	'1か月以内に予防接種を受けましたか（種類： ）',
	'生まれてから今までに先天性異常、心臓、腎臓、肝臓、脳神経、免疫不全症その他の病気にかかり、医師の診察を受けていますか',
	'ひきつけ（けいれん）をおこしたことがありますか',
	'薬や食品で皮膚に発しんやじんましんが出たり、体の具合が悪くなったことがありますか',
	'これまでに予防接種を受けて具合が悪くなったことがありますか',
	'近親者に先天性免疫不全症と診断されている方はいますか',
	'今日の予防接種について質問がありますか'
];

function ageOn(birthDate: string, on: string): string {
	const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
	const [y, mo, d] = on.split('-').map(Number) as [number, number, number];
	let months = (y - by) * 12 + (mo - bm) - (d < bd ? 1 : 0);
	if (months < 0) months = 0;
	return `${Math.floor(months / 12)}歳${months % 12}か月`;
}

const titleOf = (content: YoshinhyoContent) =>
	`予防接種予診票（${content.vaccine.nameJa} ${content.vaccine.doseJa}）`;

/** The running header of a 予診票 (a print run passes it to Layout.startDocument). */
export const yoshinhyoHeader = (content: YoshinhyoContent) =>
	`${content.municipality.name_ja} ${titleOf(content)}`;

export async function renderYoshinhyo(content: YoshinhyoContent): Promise<Uint8Array> {
	const city = content.municipality;
	const layout = await Layout.create({
		title: titleOf(content),
		author: `${city.name_ja} ${city.division_ja}`,
		subject: content.reissue ? '予診票（再発行）' : '予診票',
		language: 'ja',
		documentNumber: content.documentNumber,
		header: yoshinhyoHeader(content)
	});
	drawYoshinhyo(layout, content);
	return layout.save();
}

/** The form itself, on the layout's current document (a single file or one of a print run). */
export function drawYoshinhyo(layout: Layout, content: YoshinhyoContent): void {
	const city = content.municipality;
	const title = titleOf(content);
	layout.text(title, { size: 16, bold: true, gap: 2 });
	if (content.reissue) {
		layout.text(`再発行（${japaneseDate(content.issuedOn)}）`, { color: 'muted', size: 9, gap: 8 });
	}
	const { person } = content;
	layout.fields(
		[
			['住所', `〒${person.postalCode} ${person.address}`],
			['受ける人の氏名', `${person.nameKanji}（${person.nameKana}）`],
			['生年月日', `${eraDate(person.birthDate)}（${japaneseDate(person.birthDate)}）`],
			['性別', person.sex === 'male' ? '男' : '女'],
			['保護者の氏名', content.guardianName ?? ''],
			['接種日の年齢', '　　　歳　　　か月（当日記入）'],
			['診察前の体温', '　　　　度　　　分（当日記入）']
		],
		{ labelWidth: 110 }
	);
	layout.table(
		[
			{ header: '質問事項', width: 62 },
			{ header: '回答欄', width: 18 },
			{ header: '医師記入欄', width: 20 }
		],
		questions.map((question, index) => [`${index + 1}. ${question}`, 'はい ・ いいえ', '']),
		9
	);
	layout.text('医師の記入欄', { bold: true, size: 10.5, gap: 2 });
	layout.framed(
		[
			'以上の問診及び診察の結果、今日の予防接種は（ 可能 ・ 見合わせる ）',
			'本人（保護者）に対して、予防接種の効果、副反応及び予防接種健康被害救済制度について説明しました。',
			'医師署名又は記名押印'
		],
		{ minHeight: 70 }
	);
	layout.text('本人（保護者）の記入欄', { bold: true, size: 10.5, gap: 2 });
	layout.framed(
		[
			'医師の診察・説明を受け、予防接種の効果や目的、重篤な副反応の可能性、予防接種健康被害救済制度などについて理解した上で、接種を希望しますか。（ 接種を希望します ・ 接種を希望しません ）',
			'この予診票は、予防接種の安全性の確保を目的としています。このことを理解の上、本予診票が市区町村に提出されることに同意します。',
			'本人（保護者）署名'
		],
		{ minHeight: 80 }
	);
	layout.table(
		[
			{ header: 'ワクチン名・ロット番号', width: 30 },
			{ header: '接種量', width: 12 },
			{ header: '実施場所・医師名', width: 34 },
			{ header: '接種年月日', width: 24 }
		],
		[['\n\n', 'mL', '', '令和　　年　　月　　日']],
		9
	);
	layout.text(
		`${age(content)}・お問い合わせ: ${city.desk_name_ja} 電話 ${city.desk_phone}（${city.desk_hours_ja}）`,
		{ size: 8, color: 'muted' }
	);
	layout.text(
		'Pre-vaccination questionnaire (予診票). Bring it to the clinic with the 母子健康手帳.',
		{
			size: 8,
			color: 'muted'
		}
	);
}

function age(content: YoshinhyoContent): string {
	return `発行日時点の年齢 ${ageOn(content.person.birthDate, content.issuedOn)}`;
}
