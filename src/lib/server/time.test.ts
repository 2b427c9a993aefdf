import { describe, expect, it } from 'vitest';
import { tokyoDate, tokyoMinute } from './time';

describe("the city's clock", () => {
	it('gives the date in Japan around both midnights', () => {
		expect(tokyoDate(new Date('2026-12-04T14:59:59Z'))).toBe('2026-12-04');
		expect(tokyoDate(new Date('2026-12-04T15:30:00Z'))).toBe('2026-12-05');
		expect(tokyoDate(new Date('2026-12-04T19:46:00Z'))).toBe('2026-12-05');
		expect(tokyoDate(new Date('2026-12-05T14:30:00Z'))).toBe('2026-12-05');
		expect(tokyoDate(new Date('2026-12-05T15:00:00Z'))).toBe('2026-12-06');
		expect(tokyoMinute(new Date('2026-12-04T15:30:00Z'))).toBe('2026-12-05 00:30');
	});
});
