import { describe, expect, it } from 'vitest';
import {
	applyFeedLine,
	checkHeader,
	feedColumns,
	parseFeedLine,
	type FeedLine,
	type RegisterEntry
} from './registry-feed';

const today = '2026-11-30';
const cells = (overrides: Partial<Record<(typeof feedColumns)[number], string>> = {}) => {
	const values: Record<string, string> = {
		change: 'move_in',
		effective_on: '2026-04-01',
		atena_number: '123',
		household_number: '77',
		is_household_head: '1',
		relationship: '世帯主',
		name_kanji: '試験　太郎',
		name_kana: 'シケン　タロウ',
		name_romaji: '',
		birth_date: '1990-01-15',
		sex: '1',
		postal_code: '100-0001',
		address: 'テスト市1-1',
		resident_type: '1',
		foreign_resident_on: '',
		phone: '',
		...overrides
	};
	return feedColumns.map((column) => values[column]!);
};
const parsed = (overrides: Parameters<typeof cells>[0] = {}): FeedLine => {
	const result = parseFeedLine(cells(overrides), 2, today);
	if (!result.ok) throw new Error(JSON.stringify(result.error));
	return result.value;
};

describe('parseFeedLine', () => {
	it('reads the 住基 codes for sex, head and resident type', () => {
		expect(parsed({ sex: '2', is_household_head: '0' })).toMatchObject({
			sex: 'female',
			is_household_head: false,
			resident_type: 'japanese',
			name_romaji: null
		});
	});
	it('names the first bad column', () => {
		const error = (overrides: Parameters<typeof cells>[0]) => {
			const result = parseFeedLine(cells(overrides), 9, today);
			return result.ok ? null : result.error;
		};
		expect(error({ birth_date: '1990-02-29' })).toEqual({
			line: 9,
			field: 'birth_date',
			code: 'invalid_date'
		});
		expect(error({ sex: 'M' })).toEqual({ line: 9, field: 'sex', code: 'invalid' });
		expect(error({ name_kanji: ' ' })).toEqual({ line: 9, field: 'name_kanji', code: 'required' });
		expect(error({ change: 'adopt' })).toEqual({ line: 9, field: 'change', code: 'invalid' });
		// Bidi controls and zero-width characters make one name look like another (issue 24, low).
		for (const hidden of ['\u202e', '\u200b', '\u200d', '\u2066', '\ufeff', '\u200f']) {
			expect(error({ name_kanji: `試験${hidden}太郎` })).toEqual({
				line: 9,
				field: 'name_kanji',
				code: 'invisible_character'
			});
			expect(error({ address: `テスト市${hidden}1-1` })).toEqual({
				line: 9,
				field: 'address',
				code: 'invisible_character'
			});
		}
		expect(error({ effective_on: '2026-12-01' })).toEqual({
			line: 9,
			field: 'effective_on',
			code: 'future_date'
		});
		expect(error({ effective_on: '1989-12-31' })).toEqual({
			line: 9,
			field: 'effective_on',
			code: 'before_birth'
		});
		expect(error({ resident_type: '2' })).toEqual({
			line: 9,
			field: 'foreign_resident_on',
			code: 'required'
		});
		expect(parseFeedLine(cells().slice(1), 4, today)).toEqual({
			ok: false,
			error: { line: 4, field: null, code: 'column_count' }
		});
	});
	it('accepts the header only as documented', () => {
		expect(checkHeader([...feedColumns])).toBe(true);
		expect(checkHeader([...feedColumns].reverse())).toBe(false);
		expect(checkHeader(feedColumns.slice(1))).toBe(false);
	});
});

describe('applyFeedLine', () => {
	const inserted = () => {
		const applied = applyFeedLine(undefined, parsed());
		if (!applied.ok) throw new Error('refused');
		return applied.entry;
	};
	it('registers a 転入 from its effective date and a birth from the birth date', () => {
		expect(inserted()).toMatchObject({
			status: 'resident',
			became_resident_on: '2026-04-01',
			became_resident_reason: 'moved_in',
			address_set_on: '2026-04-01'
		});
		const born = applyFeedLine(
			undefined,
			parsed({ change: 'birth', birth_date: '2026-03-03', effective_on: '2026-03-05' })
		);
		expect(born).toMatchObject({
			ok: true,
			kind: 'insert',
			entry: { became_resident_on: '2026-03-03', became_resident_reason: 'birth' }
		});
	});
	it('changes nothing when the same line comes again', () => {
		expect(applyFeedLine(inserted(), parsed())).toMatchObject({
			ok: true,
			kind: 'unchanged',
			fields: []
		});
	});
	it('moves the address date only when the address changes', () => {
		const entry = inserted();
		const moved = applyFeedLine(
			entry,
			parsed({ change: 'move_within', effective_on: '2026-10-10', address: '別の住所2-2' })
		);
		expect(moved).toMatchObject({
			ok: true,
			kind: 'update',
			fields: ['address', 'address_set_on']
		});
		const same = applyFeedLine(
			entry,
			parsed({ change: 'move_within', effective_on: '2026-10-10' })
		);
		expect(same).toMatchObject({ kind: 'unchanged' });
	});
	it('removes at 転出 and 死亡, once', () => {
		const entry = inserted();
		const out = applyFeedLine(entry, parsed({ change: 'move_out', effective_on: '2026-11-01' }));
		expect(out).toMatchObject({
			ok: true,
			kind: 'move_out',
			entry: { status: 'moved_out', removed_on: '2026-11-01' }
		});
		const gone = (out as { entry: RegisterEntry }).entry;
		expect(
			applyFeedLine(gone, parsed({ change: 'move_out', effective_on: '2026-11-01' }))
		).toMatchObject({ kind: 'unchanged' });
		expect(
			applyFeedLine(gone, parsed({ change: 'move_out', effective_on: '2026-11-02' }))
		).toMatchObject({
			ok: false,
			error: { code: 'already_removed' }
		});
		expect(
			applyFeedLine(gone, parsed({ change: 'death', effective_on: '2026-11-02' }))
		).toMatchObject({ ok: false });
		expect(applyFeedLine(gone, parsed({ change: 'move_within' }))).toMatchObject({
			error: { code: 'not_resident' }
		});
		// A 転入 after the 転出 brings the person back from its own date.
		expect(
			applyFeedLine(gone, parsed({ change: 'move_in', effective_on: '2026-11-20' }))
		).toMatchObject({
			ok: true,
			kind: 'return',
			entry: { status: 'resident', removed_on: null, became_resident_on: '2026-11-20' }
		});
		expect(
			applyFeedLine(gone, parsed({ change: 'move_in', effective_on: '2026-10-20' }))
		).toMatchObject({ ok: false });
	});
	it('refuses changes to people not on the register', () => {
		for (const change of ['move_within', 'household', 'update', 'move_out', 'death']) {
			expect(applyFeedLine(undefined, parsed({ change }))).toMatchObject({
				ok: false,
				error: { code: 'unknown_person' }
			});
		}
	});
});
