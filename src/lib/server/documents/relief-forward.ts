// 進達書: the city sends a relief claim, with the committee's opinion, to the prefecture, which
// passes it to the Ministry's 疾病・障害認定審査会. A cover letter listing what is enclosed.
import type { Municipality } from '../municipality';
import { eraDate, japaneseDate } from './dates';
import { Layout } from './layout';

export type ReliefForwardContent = {
	municipality: Municipality;
	documentNumber: string;
	issuedOn: string;
	claimant: string;
	subject: { nameKanji: string; birthDate: string };
	category: string;
	benefits: string[];
	receivedOn: string;
	committee: { on: string; minutes: string; opinion: string };
	enclosures: string[];
};

export async function renderReliefForward(content: ReliefForwardContent): Promise<Uint8Array> {
	const city = content.municipality;
	const title = '予防接種健康被害救済給付の請求に係る進達について';
	const layout = await Layout.create({
		title,
		author: `${city.name_ja} ${city.division_ja}`,
		subject: '進達書',
		language: 'ja',
		documentNumber: content.documentNumber
	});
	layout.text(`文書番号 ${content.documentNumber}`, { size: 9, color: 'muted' });
	layout.text(eraDate(content.issuedOn), { size: 9, color: 'muted', gap: 10 });
	layout.text(`${city.prefecture_ja}知事 様`, { size: 11, gap: 10 });
	layout.text(city.mayor_title_ja, { size: 11, gap: 14 });
	layout.text(title, { size: 15, bold: true, gap: 8 });
	layout.text(
		'予防接種法に基づく健康被害救済給付について、下記のとおり請求がありましたので、予防接種健康被害調査委員会の意見を添えて進達します。',
		{ gap: 8 }
	);
	layout.text('記', { bold: true, gap: 4 });
	layout.fields(
		[
			['請求者', content.claimant],
			[
				'健康被害を受けた者',
				`${content.subject.nameKanji}（${japaneseDate(content.subject.birthDate)}生）`
			],
			['予防接種の区分', content.category],
			['請求する給付', content.benefits.join('、')],
			['請求の受付日', japaneseDate(content.receivedOn)],
			[
				'調査委員会',
				`${japaneseDate(content.committee.on)} 開催（議事録 ${content.committee.minutes}）`
			],
			['調査委員会の意見', content.committee.opinion]
		],
		{ labelWidth: 130 }
	);
	layout.text('添付書類', { bold: true, gap: 2 });
	for (const [index, enclosure] of content.enclosures.entries()) {
		layout.text(`${index + 1}. ${enclosure}`, { indent: 8, size: 10 });
	}
	layout.space(6);
	layout.text(`担当: ${city.division_ja}　電話 ${city.desk_phone}`, { size: 9, color: 'muted' });
	return layout.save();
}
