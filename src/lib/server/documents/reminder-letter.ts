// 予防接種のお知らせ: the letter of a 接種勧奨 or yearly mailing (DOMAIN.md P8), one per person,
// drawn into a print run (Layout.startDocument) so thousands share one font subset. Japanese
// first, an English summary after it. It names the person and the doses, never a 個人番号.
import type { Municipality } from '../municipality';
import { addDays } from '../time';
import { englishDate, japaneseDate } from './dates';
import type { Layout } from './layout';

export type ReminderLetter = {
	municipality: Municipality;
	documentNumber: string;
	issuedOn: string;
	kind: 'due' | 'overdue' | 'newborn' | 'age_cohort';
	person: { nameKanji: string; postalCode: string; address: string; child: boolean };
	doses: {
		vaccineJa: string;
		vaccineEn: string;
		doseJa: string;
		doseEn: string;
		status: 'due' | 'late' | 'upcoming';
		from: string;
		until: string | null;
	}[];
	withQuestionnaires: boolean;
	portalUrl: string;
};

export const reminderLetterTitle = (kind: ReminderLetter['kind']) =>
	kind === 'overdue' || kind === 'due' ? '予防接種のお知らせ（接種勧奨）' : '予防接種のご案内';

export function drawReminderLetter(layout: Layout, letter: ReminderLetter): void {
	const city = letter.municipality;
	const { person } = letter;
	layout.text(`〒${person.postalCode}`, { size: 11 });
	layout.text(person.address, { size: 11 });
	layout.text(person.child ? `${person.nameKanji} 様の保護者様` : `${person.nameKanji} 様`, {
		size: 13,
		bold: true,
		gap: 14
	});
	layout.text(japaneseDate(letter.issuedOn), { color: 'muted' });
	layout.text(`${city.mayor_title_ja}（${city.division_ja}）`, { color: 'muted', gap: 12 });
	layout.text(reminderLetterTitle(letter.kind), { size: 16, bold: true, gap: 8 });
	const subject = person.child ? `${person.nameKanji} さん` : 'あなた';
	layout.text(
		letter.kind === 'overdue'
			? `${subject}の定期予防接種のうち、標準的な接種期間を過ぎても接種の記録がないものがあります。定期接種として公費で受けられる期間内に、お早めに接種をご検討ください。`
			: `${subject}が受けられる定期予防接種をお知らせします。下記の期間内であれば、公費（無料）で接種を受けられます。`
	);
	layout.space(4);
	const end = (until: string | null) => (until ? japaneseDate(addDays(until, -1)) : '');
	const state = {
		due: '接種できます',
		late: '標準的な期間を過ぎています',
		upcoming: '接種期間の前です'
	};
	layout.table(
		[
			{ header: 'ワクチン', width: 34 },
			{ header: '回', width: 14 },
			{ header: '公費で受けられる期間', width: 32 },
			{ header: '状況', width: 20 }
		],
		letter.doses.map((dose) => [
			dose.vaccineJa,
			dose.doseJa,
			`${japaneseDate(dose.from)}〜${end(dose.until)}`,
			state[dose.status]
		]),
		9
	);
	layout.text('接種の受け方', { bold: true, size: 11 });
	layout.text('1. 市の協力医療機関に予約してください。', { indent: 8 });
	layout.text(
		letter.withQuestionnaires
			? '2. 同封の予診票に記入し、母子健康手帳と一緒に医療機関へお持ちください。'
			: `2. 予診票がお手元にない場合は、予防接種ポータル（${letter.portalUrl}）または窓口で再発行を申請できます。`,
		{ indent: 8 }
	);
	layout.text(
		'3. 既に接種を受けた場合や、市外で受けた場合は、接種日と医療機関がわかるもの（母子健康手帳など）を窓口にお知らせください。',
		{ indent: 8, gap: 8 }
	);
	layout.text(
		`お問い合わせ: ${city.desk_name_ja} 〒${city.desk_postal_code} ${city.desk_address_ja} 電話 ${city.desk_phone}（${city.desk_hours_ja}）`,
		{ color: 'muted', size: 9 }
	);
	layout.rule();
	layout.text('Routine vaccination reminder', { bold: true, size: 11 });
	const doses = letter.doses
		.map(
			(dose) =>
				`${dose.vaccineEn} ${dose.doseEn} (free from ${englishDate(dose.from)}${dose.until ? ` until ${englishDate(addDays(dose.until, -1))}` : ''})`
		)
		.join('; ');
	layout.text(
		`${city.name_en}: ${person.child ? 'your child can' : 'you can'} receive these routine vaccinations free of charge: ${doses}. Book at a participating clinic and bring the 予診票 (questionnaire) and the 母子健康手帳. A missing questionnaire can be reissued at ${letter.portalUrl}. Questions: ${city.desk_name_en}, ${city.desk_phone} (${city.desk_hours_en}).`,
		{ size: 9 }
	);
}
