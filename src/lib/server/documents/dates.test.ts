import { describe, expect, it } from 'vitest';
import { englishDate, eraDate, japaneseDate } from './dates';

describe('printed dates', () => {
	it('writes Japanese, English and era dates', () => {
		expect(japaneseDate('2026-03-04')).toBe('2026年3月4日');
		expect(englishDate('2026-03-04')).toBe('4 March 2026');
		expect(eraDate('2026-11-23')).toBe('令和8年11月23日');
		expect(eraDate('2019-05-01')).toBe('令和元年5月1日');
		expect(eraDate('2019-04-30')).toBe('平成31年4月30日');
		expect(eraDate('1989-01-07')).toBe('昭和64年1月7日');
	});

	it('starts every era from 明治 on its first day, its first year written 元年', () => {
		const boundaries: [string, string][] = [
			['1873-01-01', '明治6年1月1日'],
			['1912-07-29', '明治45年7月29日'],
			['1912-07-30', '大正元年7月30日'],
			['1912-12-31', '大正元年12月31日'],
			['1913-01-01', '大正2年1月1日'],
			['1926-12-24', '大正15年12月24日'],
			['1926-12-25', '昭和元年12月25日'],
			['1926-12-31', '昭和元年12月31日'],
			['1927-01-01', '昭和2年1月1日'],
			['1989-01-08', '平成元年1月8日'],
			['1989-12-31', '平成元年12月31日'],
			['1990-01-01', '平成2年1月1日'],
			['2019-05-01', '令和元年5月1日'],
			['2019-12-31', '令和元年12月31日'],
			['2020-01-01', '令和2年1月1日']
		];
		for (const [iso, printed] of boundaries) expect(eraDate(iso), iso).toBe(printed);
	});
});
