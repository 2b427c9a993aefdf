// 予防接種実施依頼書 (P4): the city asks a municipality (and clinic) elsewhere to give a routine
// dose to its resident — a child staying with family at birth, for example — and confirms that
// the dose is a 定期接種 of this city, so relief under the Act applies.
import type { DoseLetterContent } from './dose-letter';
import { eraDate, japaneseDate } from './dates';
import { Layout } from './layout';

export type OutsideRequestContent = DoseLetterContent & {
	placeMunicipality: string;
	placeInstitution: string;
	periodFrom: string;
	periodUntil: string;
	reason: string;
};

export async function renderOutsideRequest(content: OutsideRequestContent): Promise<Uint8Array> {
	const city = content.municipality;
	const layout = await Layout.create({
		title: '予防接種実施依頼書',
		author: `${city.name_ja} ${city.division_ja}`,
		subject: '予防接種実施依頼書',
		language: 'ja',
		documentNumber: content.documentNumber
	});
	layout.text(`文書番号 ${content.documentNumber}`, {
		size: 9,
		color: 'muted'
	});
	layout.text(eraDate(content.issuedOn), { size: 9, color: 'muted', gap: 10 });
	layout.text(`${content.placeMunicipality}長 様`, { size: 11 });
	layout.text(`${content.placeInstitution} 御中`, { size: 11, gap: 10 });
	layout.text(city.mayor_title_ja, { size: 11, gap: 14 });
	layout.text('予防接種実施依頼書', { size: 17, bold: true, gap: 8 });
	layout.text(
		`下記の者は本市に住民登録があり、予防接種法に基づく定期の予防接種の対象者ですが、下記の理由により貴地において接種を受けることを希望しています。つきましては、接種の実施についてご配慮くださいますようお願いします。接種に係る費用及び健康被害の救済については、本市の定期接種として取り扱います。`,
		{ gap: 10 }
	);
	layout.text('記', { bold: true, gap: 6 });
	const { person } = content;
	layout.fields(
		[
			['被接種者の氏名', `${person.nameKanji}（${person.nameKana}）`],
			['生年月日', `${eraDate(person.birthDate)}（${japaneseDate(person.birthDate)}）`],
			['性別', person.sex === 'male' ? '男' : '女'],
			['住所', `〒${person.postalCode} ${person.address}`],
			['保護者の氏名', content.guardianName ?? '—'],
			['予防接種の種類', `${content.vaccine.nameJa} ${content.vaccine.doseJa}`],
			['接種を受ける場所', `${content.placeMunicipality} ${content.placeInstitution}`],
			[
				'接種期間',
				`${japaneseDate(content.periodFrom)} から ${japaneseDate(content.periodUntil)} まで`
			],
			['依頼の理由', content.reason]
		],
		{ labelWidth: 120 }
	);
	layout.space(6);
	layout.text('接種後は、予診票の写し（接種記録）を下記までお送りください。', { gap: 4 });
	layout.framed([
		`${city.name_ja} ${city.division_ja}（${city.desk_name_ja}）`,
		`〒${city.desk_postal_code} ${city.desk_address_ja}　電話 ${city.desk_phone}`
	]);
	return layout.save();
}
