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
});
