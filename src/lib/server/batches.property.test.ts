// Property-based checks (fast-check) of the issue-9 parsers and rules: whatever a file or a form
// holds — odd unicode, wrong types, huge or nested values — they answer with a refusal, never an
// exception, and the rules keep their promises (a line applied twice changes nothing the second
// time; no published statistic can be worked back to a small count).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mailingCriteria } from './mailings/selection';
import { applyFeedLine, feedColumns, parseFeedLine } from './residents/registry-feed';
import { suppressRow } from './statistics/report';
import { doseCsvColumns, parseDoseCsv, parseImmunizationBundle } from './vaccinations/exchange';

const today = '2026-11-30';
const knownCodes = new Set([
	'column_count',
	'malformed_csv',
	'required',
	'invalid',
	'invalid_date',
	'future_date',
	'before_birth',
	'unknown_person',
	'already_registered',
	'already_removed',
	'not_resident',
	'invisible_character'
]);
const anyText = fc.oneof(
	fc.string(),
	fc.string({ unit: 'grapheme' }),
	fc.string({ unit: 'binary' })
);

// Lines that are plausible enough to reach the rules, with any value in any column now and then.
const plausibleCell: Record<(typeof feedColumns)[number], fc.Arbitrary<string>> = {
	change: fc.constantFrom(
		'birth',
		'move_in',
		'move_within',
		'household',
		'update',
		'move_out',
		'death'
	),
	effective_on: fc.constantFrom('2020-01-01', '2024-06-30', '2026-11-30', '2026-12-01'),
	atena_number: fc.constantFrom('1', '2', '12345'),
	household_number: fc.constantFrom('H1', 'H2'),
	is_household_head: fc.constantFrom('0', '1'),
	relationship: fc.constantFrom('世帯主', '妻', '子'),
	name_kanji: fc.constantFrom('試験　太郎', '試験　花子'),
	name_kana: fc.constantFrom('シケン　タロウ', 'しけん　はなこ'),
	name_romaji: fc.constantFrom('', 'SHIKEN TARO'),
	birth_date: fc.constantFrom('1990-01-01', '2019-05-05', '2026-11-30'),
	sex: fc.constantFrom('1', '2'),
	postal_code: fc.constantFrom('100-0001'),
	address: fc.constantFrom('テスト市1-1', 'テスト市2-2'),
	resident_type: fc.constantFrom('1'),
	foreign_resident_on: fc.constantFrom(''),
	phone: fc.constantFrom('', '090-0000-0000')
};
const plausibleLine = fc.tuple(
	...feedColumns.map((column) =>
		fc.oneof({ weight: 9, arbitrary: plausibleCell[column] }, { weight: 1, arbitrary: anyText })
	)
);

describe('the registry feed, for any input', () => {
	it('refuses with a known reason and never throws', () => {
		fc.assert(
			fc.property(fc.array(anyText, { maxLength: 20 }), fc.nat(1_000_000), (cells, line) => {
				const result = parseFeedLine(cells, line, today);
				if (!result.ok) expect(knownCodes.has(result.error.code)).toBe(true);
			})
		);
	});
	it('changes nothing when a line it accepted comes again', () => {
		fc.assert(
			fc.property(fc.array(plausibleLine, { minLength: 1, maxLength: 6 }), (lines) => {
				let entry: Parameters<typeof applyFeedLine>[0] = undefined;
				for (const cells of lines) {
					const parsed = parseFeedLine(cells, 2, today);
					if (!parsed.ok || parsed.value.atena_number !== '1') continue;
					const first = applyFeedLine(entry, parsed.value);
					if (!first.ok) {
						expect(knownCodes.has(first.error.code)).toBe(true);
						continue;
					}
					const again = applyFeedLine(first.entry, parsed.value);
					expect(again).toMatchObject({ ok: true, kind: 'unchanged' });
					entry = first.entry;
					expect((entry.status === 'resident') === (entry.removed_on === null)).toBe(true);
				}
			})
		);
	});
});

describe('the dose exchange parsers, for any input', () => {
	it('read any text as CSV without throwing, and no file without the header', () => {
		fc.assert(
			fc.property(anyText, (text) => {
				fc.pre(!text.replace(/^\ufeff/, '').startsWith(doseCsvColumns.join(',')));
				expect(parseDoseCsv(text)).toEqual({
					doses: [],
					errors: [{ line: 1, field: null, code: 'column_count' }]
				});
			}),
			{ numRuns: 300 }
		);
	});
	it('answer every line after the header with a dose or a known refusal', () => {
		const codes = new Set(['invalid', 'column_count', 'malformed_csv']);
		const cell = fc.oneof(
			anyText,
			fc.constantFrom('1', 'bcg', 'single', '2025-01-01', 'statutory', '')
		);
		const row = fc.array(cell, { minLength: 11, maxLength: 13 }).map((cells) => cells.join(','));
		fc.assert(
			fc.property(fc.array(row, { maxLength: 8 }), (rows) => {
				const parsed = parseDoseCsv([doseCsvColumns.join(','), ...rows].join('\n'));
				for (const error of parsed.errors) expect(codes.has(error.code)).toBe(true);
				for (const dose of parsed.doses) {
					expect(dose.administeredOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
					expect(['statutory', 'administrative', 'voluntary']).toContain(dose.legalBasis);
				}
			}),
			{ numRuns: 300 }
		);
	});
	it('read any JSON as a FHIR bundle without throwing, refusing what is not FHIR', () => {
		fc.assert(
			fc.property(fc.jsonValue({ maxDepth: 4 }), (value) => {
				const parsed = parseImmunizationBundle(value, 'https://city.example');
				if (
					!value ||
					typeof value !== 'object' ||
					(value as { resourceType?: unknown }).resourceType !== 'Bundle'
				) {
					expect(parsed.doses).toEqual([]);
				}
			}),
			{ numRuns: 100 }
		);
	});
});

describe('mailing criteria, for any form', () => {
	it('parse or refuse, never throw', () => {
		fc.assert(
			fc.property(fc.anything(), (value) => {
				const parsed = mailingCriteria.safeParse(value);
				if (parsed.success)
					expect(['due', 'overdue', 'newborn', 'age_cohort']).toContain(parsed.data.kind);
			})
		);
	});
});

describe('suppression, for any row of counts', () => {
	it('publishes no small count and nothing a total gives away', () => {
		fc.assert(
			fc.property(
				fc.array(fc.nat(40), { minLength: 1, maxLength: 10 }),
				fc.integer({ min: 2, max: 10 }),
				(counts, threshold) => {
					const { cells, total } = suppressRow(counts, threshold);
					cells.forEach((cell, index) => {
						if (cell !== null) {
							expect(cell).toBe(counts[index]);
							expect(cell === 0 || cell >= threshold).toBe(true);
						}
					});
					const hidden = cells.filter((cell) => cell === null).length;
					if (total !== null) {
						expect(total).toBe(counts.reduce((sum, count) => sum + count, 0));
						expect(hidden).not.toBe(1);
					}
				}
			)
		);
	});
});
