// 決定通知書: the city's written decisions — on a request made in the portal (承認・却下), on a
// relief claim (支給決定・不支給決定) and on a disclosure request (開示・部分開示・不開示) — each
// with the 教示 that 行政不服審査法第82条 and 行政事件訴訟法第46条 require on every decision that
// can be appealed, favourable or not (a 支給決定 can be contested for its amount): to whom, within
// what time a 審査請求 is made, and the 取消訴訟. Relief is a 第一号法定受託事務, so its 審査請求
// goes to the prefectural governor (地方自治法第255条の2); everything else to the mayor. Japanese
// is the notice; the English summary that follows carries the same 教示 in full. The contact is
// the division handling the matter (the privacy desk only for the privacy law's decisions).
import type { Municipality } from '../municipality';
import { englishDate, eraDate } from './dates';
import { Layout } from './layout';

export const noticeKinds = [
	'application_approved',
	'application_rejected',
	'relief_granted',
	'relief_denied',
	'disclosure_full',
	'disclosure_partial',
	'disclosure_none',
	'disclosure_extension',
	'correction_accepted',
	'correction_rejected',
	'suspension_accepted',
	'suspension_rejected'
] as const;
export type NoticeKind = (typeof noticeKinds)[number];

const texts: Record<
	NoticeKind,
	{
		titleJa: string;
		titleEn: string;
		leadJa: string;
		leadEn: string;
		/** Who hears a 審査請求 against it; null for a notice that decides nothing (an extension). */
		appealTo: 'mayor' | 'governor' | null;
		contact: 'division' | 'desk';
	}
> = {
	application_approved: {
		titleJa: '申請承認通知書',
		titleEn: 'Notice of approval',
		leadJa: 'あなたから提出のあった下記の申請について、承認することに決定したので通知します。',
		leadEn: 'Your request below has been approved.',
		appealTo: 'mayor',
		contact: 'division'
	},
	application_rejected: {
		titleJa: '申請却下通知書',
		titleEn: 'Notice of rejection',
		leadJa:
			'あなたから提出のあった下記の申請について、下記の理由により却下することに決定したので通知します。',
		leadEn: 'Your request below has been rejected for the reason given.',
		appealTo: 'mayor',
		contact: 'division'
	},
	relief_granted: {
		titleJa: '予防接種健康被害救済給付 支給決定通知書',
		titleEn: 'Notice of decision to pay vaccine-injury relief',
		leadJa:
			'予防接種法に基づく健康被害救済給付の請求について、厚生労働大臣の認定を受け、下記のとおり支給することに決定したので通知します。',
		leadEn:
			'Following certification by the Minister of Health, Labour and Welfare, the relief benefit below will be paid.',
		appealTo: 'governor',
		contact: 'division'
	},
	relief_denied: {
		titleJa: '予防接種健康被害救済給付 不支給決定通知書',
		titleEn: 'Notice of decision not to pay vaccine-injury relief',
		leadJa:
			'予防接種法に基づく健康被害救済給付の請求について、下記の理由により支給しないことに決定したので通知します。',
		leadEn: 'The relief benefit claimed below will not be paid, for the reason given.',
		appealTo: 'governor',
		contact: 'division'
	},
	disclosure_full: {
		titleJa: '保有個人情報の開示をする旨の決定通知書',
		titleEn: 'Notice of decision to disclose personal information',
		leadJa:
			'個人情報の保護に関する法律第82条第1項の規定により、下記のとおり保有個人情報の全部を開示することに決定したので通知します。',
		leadEn:
			'All the personal information requested will be disclosed (Act on the Protection of Personal Information, art. 82(1)).',
		appealTo: 'mayor',
		contact: 'desk'
	},
	disclosure_partial: {
		titleJa: '保有個人情報の部分開示決定通知書',
		titleEn: 'Notice of decision to disclose personal information in part',
		leadJa:
			'個人情報の保護に関する法律第82条第1項の規定により、下記のとおり保有個人情報の一部を開示することに決定したので通知します。',
		leadEn:
			'Part of the personal information requested will be disclosed; the rest is withheld for the reason given (art. 82(1)).',
		appealTo: 'mayor',
		contact: 'desk'
	},
	disclosure_extension: {
		titleJa: '開示決定等の期限の延長について（通知）',
		titleEn: 'Notice of extension of the decision period',
		leadJa:
			'個人情報の保護に関する法律第83条第2項の規定により、下記のとおり開示決定等の期限を延長しますので通知します。',
		leadEn:
			'The period for deciding on your request is extended as below (Act on the Protection of Personal Information, art. 83(2)).',
		appealTo: null,
		contact: 'desk'
	},
	correction_accepted: {
		titleJa: '保有個人情報の訂正をする旨の決定通知書',
		titleEn: 'Notice of decision to correct personal information',
		leadJa:
			'個人情報の保護に関する法律第93条第1項の規定により、下記のとおり保有個人情報の訂正をすることに決定したので通知します。',
		leadEn:
			'The personal information below will be corrected as requested (Act on the Protection of Personal Information, art. 93(1)).',
		appealTo: 'mayor',
		contact: 'desk'
	},
	correction_rejected: {
		titleJa: '保有個人情報の訂正をしない旨の決定通知書',
		titleEn: 'Notice of decision not to correct personal information',
		leadJa:
			'個人情報の保護に関する法律第93条第2項の規定により、下記の理由により保有個人情報の訂正をしないことに決定したので通知します。',
		leadEn: 'The personal information will not be corrected, for the reason given (art. 93(2)).',
		appealTo: 'mayor',
		contact: 'desk'
	},
	suspension_accepted: {
		titleJa: '保有個人情報の利用停止をする旨の決定通知書',
		titleEn: 'Notice of decision to suspend the use of personal information',
		leadJa:
			'個人情報の保護に関する法律第101条第1項の規定により、下記のとおり保有個人情報の利用停止をすることに決定したので通知します。',
		leadEn:
			'The use of the personal information below will be suspended as requested (art. 101(1)).',
		appealTo: 'mayor',
		contact: 'desk'
	},
	suspension_rejected: {
		titleJa: '保有個人情報の利用停止をしない旨の決定通知書',
		titleEn: 'Notice of decision not to suspend the use of personal information',
		leadJa:
			'個人情報の保護に関する法律第101条第2項の規定により、下記の理由により保有個人情報の利用停止をしないことに決定したので通知します。',
		leadEn:
			'The use of the personal information will not be suspended, for the reason given (art. 101(2)).',
		appealTo: 'mayor',
		contact: 'desk'
	},
	disclosure_none: {
		titleJa: '保有個人情報の開示をしない旨の決定通知書',
		titleEn: 'Notice of decision not to disclose personal information',
		leadJa:
			'個人情報の保護に関する法律第82条第2項の規定により、下記の理由により保有個人情報を開示しないことに決定したので通知します。',
		leadEn:
			'The personal information requested will not be disclosed, for the reason given (art. 82(2)).',
		appealTo: 'mayor',
		contact: 'desk'
	}
};

export type NoticeContent = {
	municipality: Municipality;
	kind: NoticeKind;
	documentNumber: string;
	issuedOn: string;
	recipient: { postalCode: string; address: string; name: string };
	/** The particulars (申請の種類, 受付番号, 給付の種類, 開示する保有個人情報 …). */
	details: [label: string, value: string][];
	reason: string | null;
};

export const noticeTitle = (kind: NoticeKind) => texts[kind];

export async function renderNotice(content: NoticeContent): Promise<Uint8Array> {
	const city = content.municipality;
	const text = texts[content.kind];
	const layout = await Layout.create({
		title: `${text.titleJa} / ${text.titleEn}`,
		author: `${city.name_ja} ${city.division_ja}`,
		subject: text.titleEn,
		language: 'ja',
		documentNumber: content.documentNumber
	});
	layout.text(`文書番号 ${content.documentNumber}`, { size: 9, color: 'muted' });
	layout.text(eraDate(content.issuedOn), { size: 9, color: 'muted', gap: 10 });
	layout.text(`〒${content.recipient.postalCode}`, { size: 10.5 });
	layout.text(content.recipient.address, { size: 10.5 });
	layout.text(`${content.recipient.name} 様`, { size: 12, bold: true, gap: 12 });
	layout.text(city.mayor_title_ja, { size: 11, gap: 14 });
	layout.text(text.titleJa, { size: 16, bold: true, gap: 8 });
	layout.text(text.leadJa, { gap: 8 });
	layout.text('記', { bold: true, gap: 4 });
	layout.fields(
		[...content.details, ...(content.reason ? [['理由', content.reason] as [string, string]] : [])],
		{ labelWidth: 140 }
	);
	const appeal = appealInstructions(city, text.appealTo);
	if (appeal) {
		layout.space(6);
		layout.text('教示', { bold: true, gap: 2 });
		appeal.ja.forEach((line, index) =>
			layout.text(line, { size: 9, gap: index === appeal.ja.length - 1 ? 8 : 2 })
		);
	}
	const contact =
		text.contact === 'desk'
			? `${city.desk_name_ja} 〒${city.desk_postal_code} ${city.desk_address_ja} 電話 ${city.desk_phone}（${city.desk_hours_ja}）`
			: `${city.name_ja} ${city.division_ja} 電話 ${city.division_phone ?? city.desk_phone}（${city.desk_hours_ja}）`;
	const contactEn =
		text.contact === 'desk'
			? `${city.desk_name_en}, ${city.desk_phone} (${city.desk_hours_en})`
			: `${city.division_en}, ${city.name_en}, ${city.division_phone ?? city.desk_phone} (${city.desk_hours_en})`;
	layout.text(`お問い合わせ: ${contact}`, { size: 8.5, color: 'muted' });
	layout.rule();
	layout.text(`${text.titleEn} (${englishDate(content.issuedOn)})`, { bold: true, size: 10.5 });
	layout.text(`${text.leadEn} Questions: ${contactEn}.`, { size: 9, gap: appeal ? 4 : 0 });
	if (appeal) {
		layout.text('How to appeal', { bold: true, size: 9.5, gap: 2 });
		for (const line of appeal.en) layout.text(line, { size: 9, gap: 2 });
	}
	return layout.save();
}

/** The 教示 of a decision: the 審査請求 and the 取消訴訟, in Japanese and in English. */
export function appealInstructions(
	city: Municipality,
	appealTo: 'mayor' | 'governor' | null
): { ja: string[]; en: string[] } | null {
	if (!appealTo) return null;
	const bodyJa = appealTo === 'governor' ? `${city.prefecture_ja}知事` : city.mayor_title_ja;
	const bodyEn =
		appealTo === 'governor'
			? `the Governor of ${city.prefecture_en}`
			: `the ${city.mayor_title_en}`;
	return {
		ja: [
			`1. この決定に不服がある場合は、この決定があったことを知った日の翌日から起算して3か月以内に、${bodyJa}に対して審査請求をすることができます（行政不服審査法第2条・第18条）。ただし、この決定があった日の翌日から起算して1年を経過したときは、正当な理由があるときを除き、審査請求をすることができません。`,
			`2. この決定の取消しを求める訴えは、この決定があったことを知った日から6か月以内に、${city.name_ja}を被告として（訴訟において${city.name_ja}を代表する者は${city.mayor_title_ja}となります）提起することができます（行政事件訴訟法第14条）。ただし、審査請求をした場合は、その審査請求に対する裁決があったことを知った日から6か月以内となります。また、決定（審査請求をした場合は裁決）の日から1年を経過したときは、正当な理由があるときを除き、提起することができません。`
		],
		en: [
			`1. If you disagree with this decision, you may file a request for review (審査請求) with ${bodyEn} within 3 months from the day after you learned of it (Administrative Complaint Review Act, arts. 2 and 18). No request may be filed once 1 year has passed from the day after the decision, except for good reason.`,
			`2. You may bring an action to revoke this decision against ${city.name_en} (represented in court by the ${city.mayor_title_en}) within 6 months from the day you learned of it, or, if you filed a request for review, within 6 months from the day you learned of the ruling on it (Administrative Case Litigation Act, art. 14). No action may be brought once 1 year has passed from the decision (or the ruling), except for good reason.`
		]
	};
}
