// Every document type filled with a fictional person of the demo city, for the PDF benchmark and
// the pictures in docs/documents/. Nothing here touches a database.
import { generateKeyPairSync } from 'node:crypto';
import { demoMunicipality } from '../../src/lib/server/demo/city';
import {
	renderCertificate,
	type CertificateDose
} from '../../src/lib/server/documents/certificate';
import { renderDisclosure } from '../../src/lib/server/documents/disclosure';
import { renderEnrolmentLetter } from '../../src/lib/server/documents/enrolment-letter';
import {
	cvxSystem,
	issueHealthCards,
	numericHealthCard
} from '../../src/lib/server/documents/health-card';
import { noticeKinds, renderNotice, type NoticeKind } from '../../src/lib/server/documents/notice';
import { renderOutsideRequest } from '../../src/lib/server/documents/outside-request';
import { renderYoshinhyo } from '../../src/lib/server/documents/yoshinhyo';
import { Layout } from '../../src/lib/server/documents/layout';
import { drawReminderLetter } from '../../src/lib/server/documents/reminder-letter';
import type { Municipality } from '../../src/lib/server/municipality';
import { routineSchedule } from '../../src/lib/server/vaccinations/catalogue';

export const municipality = {
	...demoMunicipality,
	created_at: new Date()
} as unknown as Municipality;
const origin = 'https://vaccination.city.sakuradai.example';
const person = {
	nameKanji: '髙橋 﨑太郎',
	nameKana: 'タカハシ サキタロウ',
	birthDate: '2014-04-02',
	sex: 'male' as const,
	postalCode: '190-0112',
	address: '東京都さくら台市中央二丁目3番4号 さくら台ハイツ101'
};

/** The child routine doses of the catalogue in schedule order, dated one after another. */
export function sampleDoses(count: number): CertificateDose[] {
	const all = routineSchedule
		.filter((vaccine) => vaccine.category === 'A' && !vaccine.vaccineCode.endsWith('elderly'))
		.flatMap((vaccine) => vaccine.doses.map((dose) => ({ vaccine, dose })));
	return all.slice(0, count).map(({ vaccine, dose }, index) => ({
		vaccineEn: vaccine.nameEn,
		vaccineJa: vaccine.nameJa,
		diseasesEn: vaccine.diseasesEn,
		doseEn: dose.labelEn,
		doseJa: dose.labelJa,
		administeredOn: new Date(Date.parse(person.birthDate) + (60 + index * 45) * 86_400_000)
			.toISOString()
			.slice(0, 10),
		lotNumber: `KM${String(3100 + index * 7)}A`,
		manufacturer: 'KMバイオロジクス',
		institutionEn: 'Sakuradai Children’s Clinic',
		institutionJa: 'さくら台こどもクリニック'
	}));
}

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const key = { kid: 'sample', privateKey };

export async function sampleHealthCards(
	doses: CertificateDose[]
): Promise<{ numeric: string; label: string }[]> {
	const cards = await issueHealthCards({
		issuer: origin,
		issuedAt: new Date('2026-11-23T01:00:00Z'),
		holder: { familyName: 'TAKAHASHI', givenName: 'SAKITARO', birthDate: person.birthDate },
		doses: doses.map((dose) => ({
			group: dose.vaccineEn,
			coding: {
				system: cvxSystem,
				code: routineSchedule.find((vaccine) => vaccine.nameEn === dose.vaccineEn)!.cvx
			},
			doseNumber: 1,
			administeredOn: dose.administeredOn,
			lotNumber: dose.lotNumber,
			performer: dose.institutionEn ?? dose.institutionJa
		})),
		key
	});
	return cards.map((card, index) => ({
		numeric: numericHealthCard(card.jws),
		label: `SMART Health Card ${index + 1}/${cards.length}: ${card.groups.join('; ')}`
	}));
}

export function certificateContent(
	doses: CertificateDose[],
	healthCards: { numeric: string; label: string }[]
) {
	return {
		municipality,
		documentNumber: 'EC-2026-0000123',
		issuedOn: '2026-11-23',
		holder: {
			passportName: 'TAKAHASHI SAKITARO',
			nameKanji: person.nameKanji,
			birthDate: person.birthDate,
			sex: person.sex,
			nationality: 'JAPAN',
			passportNumber: 'TK1234567'
		},
		doses,
		verifyUrl: `${origin}/v/7K3Q-M9XD-2VHT`,
		healthCards
	};
}

/** name → bytes, for every document type. */
export async function sampleDocuments(): Promise<[string, Uint8Array][]> {
	const typical = sampleDoses(12);
	const long = sampleDoses(35);
	const notice = (kind: NoticeKind, reason: string | null) =>
		renderNotice({
			municipality,
			kind,
			documentNumber: 'TN-2026-0000456',
			issuedOn: '2026-11-23',
			recipient: { postalCode: person.postalCode, address: person.address, name: '髙橋 花子' },
			details: kind.startsWith('application')
				? [
						['申請の種類', '英文予防接種証明書の交付'],
						['受付番号', 'E2026-000123'],
						['対象者', person.nameKanji]
					]
				: kind.startsWith('relief')
					? [
							['給付の種類', '医療費・医療手当'],
							['対象者', person.nameKanji],
							['支給額', kind === 'relief_granted' ? '医療費 82,340円、医療手当 37,900円' : '—']
						]
					: [
							['開示請求の受付日', '2026年11月2日'],
							['開示する保有個人情報', '予防接種台帳の記録、申請書類、アクセス記録'],
							['開示の実施方法', '写しの交付（郵送）']
						],
			reason
		});
	return [
		[
			'certificate',
			await renderCertificate(certificateContent(typical, await sampleHealthCards(typical)))
		],
		[
			'certificate-35-doses',
			await renderCertificate(certificateContent(long, await sampleHealthCards(long)))
		],
		[
			'yoshinhyo',
			await renderYoshinhyo({
				municipality,
				documentNumber: 'YS-2026-0000124',
				issuedOn: '2026-11-23',
				person: { ...person, birthDate: '2026-05-10' },
				guardianName: '髙橋 花子',
				vaccine: { nameJa: '五種混合（DPT-IPV-Hib）', doseJa: '1期初回 3回目' },
				reissue: true
			})
		],
		['reminder-letter', await sampleReminderLetter()],
		[
			'outside-request',
			await renderOutsideRequest({
				municipality,
				documentNumber: 'ID-2026-0000125',
				issuedOn: '2026-11-23',
				person: { ...person, birthDate: '2026-05-10' },
				guardianName: '髙橋 花子',
				vaccine: { nameJa: '五種混合（DPT-IPV-Hib）', doseJa: '1期初回 3回目' },
				placeMunicipality: '鹿児島市',
				placeInstitution: '天文館こどもクリニック',
				periodFrom: '2026-12-01',
				periodUntil: '2027-03-31',
				reason: '里帰り出産のため、母の実家に滞在する期間に接種を受けるため'
			})
		],
		...(await Promise.all(
			noticeKinds.map(
				async (kind) =>
					[
						`notice-${kind}`,
						await notice(
							kind,
							['application_approved', 'relief_granted', 'disclosure_full'].includes(kind)
								? null
								: kind === 'application_rejected'
									? '申請書に記載された接種が予防接種台帳に記録されておらず、母子健康手帳の写しでも確認できなかったため。'
									: kind === 'relief_denied'
										? '疾病・障害認定審査会において、予防接種と健康被害との因果関係が認められなかったため。'
										: '第三者に関する情報（同一世帯の他の者の記録）が含まれるため（法第78条第1項第2号）。'
						)
					] as [string, Uint8Array]
			)
		)),
		[
			'enrolment-letter',
			await renderEnrolmentLetter({
				municipality,
				recipient: { postalCode: person.postalCode, address: person.address, name: '髙橋 花子' },
				code: 'K7QD-93MX-2HPV-TR4B',
				expiresOn: '2026-12-23',
				portalUrl: origin,
				issuedOn: '2026-11-23',
				documentNumber: 'EL-2026-0000126'
			})
		],
		['disclosure', await sampleDisclosure()]
	];
}

/** A disclosure copy: a few items of each kind, one passage and one item withheld. */
function sampleDisclosure() {
	const field = (label: string, value: string) => ({ label, value });
	return renderDisclosure({
		municipality,
		documentNumber: 'KJ-2026-0000127',
		issuedOn: '2026-11-23',
		requestReference: 'D2026-000042',
		subjectName: person.nameKanji,
		items: [
			{
				key: 'registry',
				category: 'registry',
				title: '住民記録 / Register entry',
				fields: [
					field('宛名番号 / Person number', '1000004242'),
					field('氏名 / Name', person.nameKanji),
					field('フリガナ / Name (kana)', person.nameKana),
					field('生年月日 / Date of birth', person.birthDate),
					field('住所 / Address', person.address),
					field(
						'個人番号 / Individual number',
						'保有しています（番号はこの写しに記載しません） / held (not printed on this copy)'
					)
				]
			},
			...sampleDoses(4).map((dose, index) => ({
				key: `dose:${index}`,
				category: 'doses' as const,
				title: `${dose.vaccineJa} ${dose.doseJa}（${dose.administeredOn}）`,
				fields: [
					field('接種日 / Date given', dose.administeredOn),
					field('医療機関 / Clinic', dose.institutionJa ?? dose.institutionEn ?? '—'),
					field('ロット番号 / Lot', dose.lotNumber ?? '—'),
					field('記録の状態 / Status', '確認済み / confirmed')
				]
			})),
			{
				key: 'relief_event:1',
				category: 'relief',
				title: '処理の記録 / Case step: request_documents（2026-10-02 01:20 UTC）',
				fields: [
					field('請求者へのお知らせ / Message to the claimant', '医療費の領収書をお送りください。'),
					field('内部メモ / Internal note', '（このメモは不開示）')
				]
			},
			{
				key: 'inquiry:1',
				category: 'requests',
				title: '問合せ / Inquiry（2026-09-14 05:02 UTC）',
				fields: [field('内容 / Subject', '（この項目は不開示）')]
			},
			...['resident.view', 'vaccination.view', 'document.issue'].map((action, index) => ({
				key: `audit:${index}`,
				category: 'audit' as const,
				title: `2026-11-0${index + 1} 00:1${index} UTC ${action}`,
				fields: [
					field('操作 / Operation', action),
					field('結果 / Result', 'ok'),
					field('操作した者 / By', '担当（健康増進課）'),
					field('処理事由 / Purpose', index === 0 ? '英文証明書の審査' : '—')
				]
			}))
		],
		withheld: [
			{ itemKey: 'relief_event:1', field: '内部メモ / Internal note', ground: 'third_party' },
			{ itemKey: 'inquiry:1', field: '', ground: 'third_party' }
		]
	});
}

/** One letter of a 接種勧奨 mailing, as a print run draws it. */
async function sampleReminderLetter(): Promise<Uint8Array> {
	const layout = await Layout.create({
		title: '予防接種のお知らせ（接種勧奨）',
		author: `${municipality.name_ja} ${municipality.division_ja}`,
		language: 'ja',
		documentNumber: 'M1A2B3C4D-000042',
		header: `${municipality.name_ja} 予防接種のお知らせ（接種勧奨）`
	});
	drawReminderLetter(layout, {
		municipality,
		documentNumber: 'M1A2B3C4D-000042',
		issuedOn: '2026-12-01',
		kind: 'overdue',
		person: {
			nameKanji: person.nameKanji,
			postalCode: person.postalCode,
			address: person.address,
			child: true
		},
		doses: [
			{
				vaccineJa: '麻しん風しん混合（MR）',
				vaccineEn: 'Measles-rubella (MR)',
				doseJa: '第1期',
				doseEn: 'Period 1',
				status: 'late',
				from: '2025-05-10',
				until: '2026-05-10'
			},
			{
				vaccineJa: '水痘',
				vaccineEn: 'Varicella',
				doseJa: '2回目',
				doseEn: 'Dose 2',
				status: 'due',
				from: '2025-11-10',
				until: '2027-05-10'
			}
		],
		withQuestionnaires: false,
		portalUrl: 'https://vaccination.city.sakuradai.example/'
	});
	return layout.save();
}
