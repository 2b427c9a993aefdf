// What a resident signed, as the staff read it (issue 25: the case page showed the raw JSON,
// dpt_ipv and boshi_techo): each item of a version under its Japanese label, codes in words,
// and what changed from the version before. The signed JSON itself stays one click away.
import { messageFor } from '$lib/messages';

type Catalogue = Map<string, string>;
export type PayloadField = { key: string; label: string; value: string; changed: boolean };

const labels: Record<string, string> = {
	subject: '対象者',
	passport_name: '旅券の氏名（ローマ字）',
	passport_number: '旅券番号',
	nationality: '国籍',
	purpose: '使う目的',
	purpose_detail: '目的の詳細',
	doses: '証明書に載せる接種（市の記録から）',
	doses_from_handbook: '母子健康手帳の接種',
	copies: '通数',
	fee_yen: '手数料',
	vaccine: 'ワクチン・回',
	reason: '理由',
	reason_detail: '理由の詳細',
	delivery: '受け取り方法',
	delivery_address: '送付先',
	place_municipality: '接種する市区町村',
	place_institution: '接種する医療機関',
	period_from: '接種期間（から）',
	period_until: '接種期間（まで）',
	attachments: '添付ファイル'
};
// Said in words elsewhere on the page, or not the resident's answer.
const hidden = new Set(['application_id', 'kind', 'vaccine_code', 'dose_code']);

/** A code in words, from the wizard's own messages ("travel" → 海外渡航). */
function word(prefixes: string[], code: string): string {
	for (const prefix of prefixes) {
		const text = messageFor(`${prefix}${code}`);
		if (text !== `${prefix}${code}`) return text;
	}
	return code;
}

function valueOf(
	key: string,
	value: unknown,
	payload: Record<string, unknown>,
	catalogue: Catalogue
) {
	if (value === null || value === undefined || value === '') return '—';
	switch (key) {
		case 'subject': {
			const subject = value as { name?: string; birth_date?: string; relation?: string };
			return `${subject.name ?? ''}（${subject.birth_date ?? ''}・${subject.relation === 'self' ? '本人' : '子（法定代理人として）'}）`;
		}
		case 'vaccine':
			return (
				catalogue.get(`${String(payload.vaccine_code)}:${String(payload.dose_code)}`) ??
				`${String(payload.vaccine_code)} ${String(payload.dose_code)}`
			);
		case 'doses': {
			const doses = value as { vaccine_code: string; dose_code: string; administered_on: string }[];
			if (doses.length === 0) return 'なし';
			return doses
				.map(
					(dose) =>
						`${catalogue.get(`${dose.vaccine_code}:${dose.dose_code}`) ?? `${dose.vaccine_code} ${dose.dose_code}`}（${dose.administered_on}）`
				)
				.join('、');
		}
		case 'doses_from_handbook':
			return value === true ? 'あり（写真を添付）' : 'なし';
		case 'purpose':
			return word(['certificate_purpose_', 'reason_'], String(value));
		case 'reason':
			return word(['reason_', 'outside_reason_'], String(value));
		case 'delivery':
			return word(['delivery_'], String(value));
		case 'delivery_address': {
			const address = value as { postal_code: string; address: string };
			return `〒${address.postal_code} ${address.address}`;
		}
		case 'fee_yen':
			return `${Number(value).toLocaleString('ja-JP')}円`;
		case 'attachments': {
			const files = value as { purpose: string }[];
			return files.length
				? files.map((file) => word(['purpose_'], file.purpose)).join('、')
				: 'なし';
		}
	}
	if (Array.isArray(value)) return value.map((item) => String(item)).join('、');
	if (typeof value === 'object') return JSON.stringify(value);
	return String(value);
}

/** Each version's fields, newest first as given, each marked when it differs from the one before. */
export function payloadVersions(
	versions: { version: number; payload: string }[],
	catalogue: Catalogue
): { version: number; fields: PayloadField[] }[] {
	const shown = versions.map((version) => {
		const payload = JSON.parse(version.payload) as Record<string, unknown>;
		const keys = Object.keys(payload).filter((key) => !hidden.has(key));
		if ('vaccine_code' in payload) keys.unshift('vaccine');
		return {
			version: version.version,
			values: new Map(keys.map((key) => [key, valueOf(key, payload[key], payload, catalogue)]))
		};
	});
	return shown.map((current) => {
		const earlier = shown.find((other) => other.version === current.version - 1);
		return {
			version: current.version,
			fields: [...current.values].map(([key, value]) => ({
				key,
				label: labels[key] ?? key,
				value,
				changed: earlier !== undefined && earlier.values.get(key) !== value
			}))
		};
	});
}
