// 保有個人情報の開示（写し）: the disclosure package as the person receives it. Withheld items
// and passages are burned in by construction — the renderer is given the package with the
// withheld text already removed and a marker naming the legal ground in its place, so the
// withheld words never reach the PDF (no black box over text that a reader could copy out).
import type { Municipality } from '../municipality';
import { englishDate, eraDate } from './dates';
import { Layout } from './layout';

// What a disclosure package holds (gathered by desk/package.ts, rendered here).
export const packageCategories = [
	'registry',
	'account',
	'doses',
	'dose_changes',
	'applications',
	'attachments',
	'documents',
	'relief',
	'requests',
	'audit'
] as const;
export type PackageCategory = (typeof packageCategories)[number];

export type PackageField = { label: string; value: string };
export type PackageItem = {
	/** Stable within the package: withholdings refer to it. */
	key: string;
	category: PackageCategory;
	title: string;
	fields: PackageField[];
};

/** Headings in the package and its PDF (Japanese first, English after). */
export const categoryTitles: Record<PackageCategory, string> = {
	registry: '住民基本台帳から取得した情報 / Resident register',
	account: 'オンライン手続の利用者登録 / Online account',
	doses: '予防接種の記録 / Vaccination records',
	dose_changes: '接種記録の訂正・無効の履歴 / Corrections of vaccination records',
	applications: '申請 / Applications',
	attachments: '申請の添付書類 / Documents attached to applications',
	documents: '発行した書類 / Documents issued',
	relief: '健康被害救済 / Vaccine-injury relief',
	requests: '開示等の請求・問合せ / Earlier requests and inquiries',
	audit: '記録の利用履歴（アクセスログ） / Who used these records'
};

/** 個人情報保護法第78条第1項: the grounds on which a part may be withheld. */
export const withholdingGrounds = {
	life_safety: '第78条第1項第1号（開示請求者の生命、健康、生活又は財産を害するおそれ）',
	third_party: '第78条第1項第2号（開示請求者以外の個人に関する情報）',
	self_protection:
		'第78条第1項第1号（本人安全保護情報：法定代理人の請求で本人の利益を害するおそれ）',
	public_safety: '第78条第1項第5号（公共の安全と秩序の維持に支障を及ぼすおそれ）',
	deliberation: '第78条第1項第6号（審議・検討等に関する情報）',
	administration: '第78条第1項第7号（事務又は事業の適正な遂行に支障を及ぼすおそれ）'
} as const;
export type WithholdingGround = keyof typeof withholdingGrounds;

export type Withholding = { itemKey: string; field: string; ground: WithholdingGround };

const marker = (ground: WithholdingGround) => `■ 不開示 / withheld — ${withholdingGrounds[ground]}`;

/** The package with withheld items and passages replaced by their markers. */
export function redactedPackage(items: PackageItem[], withheld: Withholding[]) {
	return items.map((item) => {
		const whole = withheld.find((row) => row.itemKey === item.key && row.field === '');
		// The title too may carry what is withheld (a file name, a note's date): it goes as well.
		if (whole)
			return {
				...item,
				title: '（不開示の項目 / withheld item）',
				withheld: whole.ground,
				fields: []
			};
		return {
			...item,
			withheld: null,
			fields: item.fields.map((field) => {
				const part = withheld.find((row) => row.itemKey === item.key && row.field === field.label);
				return part ? { label: field.label, value: marker(part.ground) } : field;
			})
		};
	});
}

export async function renderDisclosure(input: {
	municipality: Municipality;
	documentNumber: string;
	issuedOn: string;
	requestReference: string;
	subjectName: string;
	items: PackageItem[];
	withheld: Withholding[];
	/** Attached files of items not withheld, copied in after the list (key → file). */
	files?: { key: string; contentType: string; bytes: Uint8Array }[];
}): Promise<Uint8Array> {
	const city = input.municipality;
	const layout = await Layout.create({
		title: '保有個人情報の開示（写し） / Disclosure of personal information',
		author: `${city.name_ja} ${city.division_ja}`,
		subject: 'Disclosure of personal information',
		language: 'ja',
		documentNumber: input.documentNumber
	});
	layout.text('保有個人情報の開示（写し）', { size: 16, bold: true, gap: 2 });
	layout.text('Disclosure of personal information (copy)', { size: 11, color: 'muted', gap: 8 });
	layout.fields([
		['請求の受付番号 / Request', input.requestReference],
		['本人 / Person', `${input.subjectName} 様`],
		['作成日 / Made on', `${eraDate(input.issuedOn)}（${englishDate(input.issuedOn)}）`],
		['作成 / By', `${city.name_ja} ${city.division_ja}`]
	]);
	layout.text(
		'■ の箇所は、個人情報の保護に関する法律第78条第1項の不開示情報に当たるため開示しません（理由を各箇所に記載）。 Parts marked ■ are withheld under art. 78(1) of the Act; the ground is given at each.',
		{ size: 8.5, color: 'muted', gap: 10 }
	);
	const redacted = redactedPackage(input.items, input.withheld);
	for (const category of packageCategories) {
		const items = redacted.filter((item) => item.category === category);
		if (!items.length) continue;
		layout.rule();
		layout.text(categoryTitles[category], { size: 12.5, bold: true, gap: 6 });
		for (const item of items) {
			layout.text(item.title, { size: 10.5, bold: true, gap: 2 });
			if (item.withheld) {
				layout.text(
					`この項目は開示しません / This item is withheld — ${withholdingGrounds[item.withheld]}`,
					{
						size: 9,
						indent: 12,
						gap: 8
					}
				);
				continue;
			}
			layout.fields(
				item.fields.map((field) => [field.label, field.value]),
				{ labelWidth: 170, size: 9 }
			);
		}
	}
	const withheldKeys = new Set(
		input.withheld.filter((row) => row.field === '').map((row) => row.itemKey)
	);
	const files = (input.files ?? []).filter((file) => !withheldKeys.has(file.key));
	if (files.length) {
		layout.rule();
		layout.text('添付書類の写し / Copies of the attached documents', {
			size: 12.5,
			bold: true,
			gap: 6
		});
		for (const file of files) {
			const item = input.items.find((candidate) => candidate.key === file.key);
			layout.text(item?.title ?? file.key, { size: 10.5, bold: true, gap: 4 });
			try {
				if (file.contentType === 'application/pdf') await layout.pdfPages(file.bytes);
				else await layout.image(file.bytes, file.contentType as 'image/png' | 'image/jpeg');
			} catch {
				// A file pdf-lib cannot place is still the person's: the desk hands over a print.
				layout.text(
					'この書類の写しは別に交付します / A copy of this file is handed over separately.',
					{
						size: 9,
						indent: 12
					}
				);
			}
		}
	}
	return layout.save();
}
