import { describe, expect, it } from 'vitest';
import { householdLinks } from './guardianship';

const member = (
	atena: string,
	relationship: string,
	birth: string,
	extra: Partial<{ status: string; since: string }> = {}
) => ({
	atena_number: atena,
	household_number: 'H1',
	relationship,
	birth_date: birth,
	became_resident_on: extra.since ?? birth,
	status: extra.status ?? 'resident'
});

describe('householdLinks', () => {
	it('links a 子 under 18 to the adult 世帯主 and spouse until the day before the 18th birthday', () => {
		const links = householdLinks(
			[
				member('1', '世帯主', '1980-01-01', { since: '2010-01-01' }),
				member('2', '妻', '1982-01-01', { since: '2012-05-01' }),
				member('3', '子', '2008-02-29')
			],
			'2026-01-10'
		);
		expect(links).toEqual([
			{ guardian: '1', child: '3', valid_from: '2010-01-01', valid_until: '2026-02-27' },
			{ guardian: '2', child: '3', valid_from: '2012-05-01', valid_until: '2026-02-27' }
		]);
	});
	it('gives no link to an adult child, a removed parent, a 孫 or a minor 世帯主', () => {
		expect(
			householdLinks(
				[member('1', '世帯主', '1980-01-01'), member('3', '子', '2008-01-01')],
				'2026-01-01'
			)
		).toEqual([]);
		expect(
			householdLinks(
				[
					member('1', '世帯主', '1980-01-01', { status: 'moved_out' }),
					member('3', '子', '2020-01-01')
				],
				'2026-01-01'
			)
		).toEqual([]);
		expect(
			householdLinks(
				[member('1', '世帯主', '1960-01-01'), member('4', '孫', '2020-01-01')],
				'2026-01-01'
			)
		).toEqual([]);
		expect(
			householdLinks(
				[member('1', '世帯主', '2010-01-01'), member('3', '子', '2025-01-01')],
				'2026-01-01'
			)
		).toEqual([]);
	});
});
