import { describe, expect, it } from 'vitest';
import { payloadVersions } from './payload-view';

const first = {
	application_id: 'a',
	kind: 'certificate',
	subject: { name: '山田 花子', birth_date: '2018-04-01', relation: 'child' },
	passport_name: 'YAMADA HANAKO',
	nationality: 'JAPAN',
	purpose: 'travel',
	doses: [{ vaccine_code: 'mr', dose_code: 'period_1', administered_on: '2019-05-01' }],
	doses_from_handbook: true,
	copies: 1,
	attachments: [{ id: 'x', purpose: 'boshi_techo', content_type: 'image/png', sha256: 'f' }]
};

describe('a signed request as staff read it', () => {
	// Issue 25: the case page showed the raw JSON (dpt_ipv, boshi_techo).
	it('labels each item in Japanese, says codes in words, and marks what changed', () => {
		const versions = payloadVersions(
			[
				{ version: 2, payload: JSON.stringify({ ...first, passport_name: 'YAMADA HANAKO MARIE' }) },
				{ version: 1, payload: JSON.stringify(first) }
			],
			new Map([['mr:period_1', '麻しん風しん混合（MR） 1期']])
		);
		const latest = versions.find((version) => version.version === 2)!.fields;
		const field = (key: string) => latest.find((item) => item.key === key)!;
		expect(field('passport_name')).toMatchObject({
			label: '旅券の氏名（ローマ字）',
			value: 'YAMADA HANAKO MARIE',
			changed: true
		});
		expect(field('purpose')).toMatchObject({ value: '海外渡航', changed: false });
		expect(field('doses').value).toBe('麻しん風しん混合（MR） 1期（2019-05-01）');
		expect(field('attachments').value).toBe('母子健康手帳のページ');
		expect(latest.filter((item) => item.changed).map((item) => item.key)).toEqual([
			'passport_name'
		]);
		const shown = JSON.stringify(versions);
		expect(shown).not.toContain('boshi_techo');
		expect(shown).not.toContain('"travel"');
		expect(latest.some((item) => item.key === 'application_id')).toBe(false);
	});
});
