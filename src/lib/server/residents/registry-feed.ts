// The 住民基本台帳 異動 feed (docs/registry-feed.md): one CSV line per change, each carrying the
// person's whole register entry as it stands after the change. Because a line says what the
// entry must be — not what to add or subtract — applying it twice changes nothing, which is what
// makes a re-run of the same file (or an overlapping one) safe. Pure functions, no database.
import { z } from 'zod';
import { calendarDate } from '../time';

export const feedColumns = [
	'change',
	'effective_on',
	'atena_number',
	'household_number',
	'is_household_head',
	'relationship',
	'name_kanji',
	'name_kana',
	'name_romaji',
	'birth_date',
	'sex',
	'postal_code',
	'address',
	'resident_type',
	'foreign_resident_on',
	'phone'
] as const;
export type FeedColumn = (typeof feedColumns)[number];

/** 異動事由: what happened to the person. */
export const feedChanges = [
	'birth', // 出生
	'move_in', // 転入 (also a return after a 転出)
	'move_within', // 転居 (new address in the city)
	'household', // 世帯変更 (世帯番号, 世帯主, 続柄)
	'update', // 記載事項の修正 (name, kana, …)
	'move_out', // 転出
	'death' // 死亡
] as const;
export type FeedChange = (typeof feedChanges)[number];

/** A register entry as the resident table holds it (the columns this feed writes). */
export type RegisterEntry = {
	household_number: string;
	is_household_head: boolean;
	relationship: string;
	name_kanji: string;
	name_kana: string;
	name_romaji: string | null;
	birth_date: string;
	sex: 'male' | 'female';
	postal_code: string;
	address: string;
	resident_type: 'japanese' | 'foreign';
	status: 'resident' | 'moved_out' | 'deceased';
	became_resident_on: string;
	became_resident_reason: 'birth' | 'moved_in' | 'other';
	address_set_on: string;
	foreign_resident_on: string | null;
	removed_on: string | null;
	phone: string | null;
};
export const registerColumns = [
	'household_number',
	'is_household_head',
	'relationship',
	'name_kanji',
	'name_kana',
	'name_romaji',
	'birth_date',
	'sex',
	'postal_code',
	'address',
	'resident_type',
	'status',
	'became_resident_on',
	'became_resident_reason',
	'address_set_on',
	'foreign_resident_on',
	'removed_on',
	'phone'
] as const satisfies readonly (keyof RegisterEntry)[];

/** Why a line was refused; each has a message in messages/*.json (registry_error_<code>). */
export type FeedErrorCode =
	| 'column_count'
	| 'malformed_csv'
	| 'required'
	| 'invalid'
	| 'invalid_date'
	| 'future_date'
	| 'before_birth'
	| 'unknown_person'
	| 'already_registered'
	| 'already_removed'
	| 'not_resident'
	| 'invisible_character';
export type FeedError = { line: number; field: FeedColumn | null; code: FeedErrorCode };

/** A real calendar day as YYYY-MM-DD (not 2025-02-30). */
const optional = <T extends z.ZodType>(schema: T) =>
	z.preprocess((value) => (value === '' ? null : value), schema.nullable());

// Field by field, so a bad line names the first bad column. Codes follow the 住基 convention
// where one exists (性別 1 = 男, 2 = 女; 住民区分 1 = 日本人, 2 = 外国人).
const fieldSchemas = {
	change: z.enum(feedChanges),
	effective_on: calendarDate,
	atena_number: z.string().regex(/^[0-9]{1,15}$/),
	household_number: z.string().regex(/^[0-9A-Za-z-]{1,20}$/),
	is_household_head: z.enum(['0', '1']).transform((value) => value === '1'),
	relationship: z.string().min(1).max(20),
	name_kanji: z.string().min(1).max(100),
	name_kana: z
		.string()
		.min(1)
		.max(100)
		.regex(/^[\p{Script=Katakana}\p{Script=Hiragana}ー・　 ]+$/u),
	name_romaji: optional(
		z
			.string()
			.max(100)
			.regex(/^[A-Za-z ,.'-]+$/)
	),
	birth_date: calendarDate,
	sex: z.enum(['1', '2']).transform((value) => (value === '1' ? 'male' : 'female')),
	postal_code: z.string().regex(/^[0-9]{3}-[0-9]{4}$/),
	address: z.string().min(1).max(200),
	resident_type: z.enum(['1', '2']).transform((value) => (value === '1' ? 'japanese' : 'foreign')),
	foreign_resident_on: optional(calendarDate),
	phone: optional(z.string().regex(/^[0-9-]{6,20}$/))
} satisfies Record<FeedColumn, z.ZodType>;

/** A line as parsed: its number and each column's value as its schema gives it. */
export type FeedLine = { line: number } & {
	[Column in FeedColumn]: z.output<(typeof fieldSchemas)[Column]>;
};

/** The header must be the documented columns in order: a vendor's layout change fails loudly. */
export function checkHeader(cells: string[]): boolean {
	const trimmed = cells.map((cell) => cell.trim());
	return (
		trimmed.length === feedColumns.length &&
		feedColumns.every((column, index) => trimmed[index] === column)
	);
}

/** One CSV record to a typed line, or the first problem with it. */
export function parseFeedLine(
	cells: string[],
	line: number,
	today: string
): { ok: true; value: FeedLine } | { ok: false; error: FeedError } {
	if (cells.length !== feedColumns.length) {
		return { ok: false, error: { line, field: null, code: 'column_count' } };
	}
	const value: Record<string, unknown> = { line };
	for (const [index, column] of feedColumns.entries()) {
		const raw = cells[index]!.normalize('NFC').trim();
		const required = !['name_romaji', 'foreign_resident_on', 'phone'].includes(column);
		if (required && raw === '')
			return { ok: false, error: { line, field: column, code: 'required' } };
		// Control and format characters (bidi overrides such as U+202E, zero-width spaces and
		// joiners, BOMs) make one name or address look like another: no register value has one.
		if (/[\p{Cc}\p{Cf}]/u.test(raw))
			return { ok: false, error: { line, field: column, code: 'invisible_character' } };
		const parsed = fieldSchemas[column].safeParse(raw);
		if (!parsed.success) {
			const isDate = ['effective_on', 'birth_date', 'foreign_resident_on'].includes(column);
			return {
				ok: false,
				error: { line, field: column, code: isDate ? 'invalid_date' : 'invalid' }
			};
		}
		value[column] = parsed.data;
	}
	const feed = value as FeedLine;
	for (const column of ['effective_on', 'birth_date', 'foreign_resident_on'] as const) {
		const day = feed[column];
		if (day && day > today)
			return { ok: false, error: { line, field: column, code: 'future_date' } };
	}
	if (feed.effective_on < feed.birth_date) {
		return { ok: false, error: { line, field: 'effective_on', code: 'before_birth' } };
	}
	if ((feed.resident_type === 'foreign') !== (feed.foreign_resident_on !== null)) {
		return { ok: false, error: { line, field: 'foreign_resident_on', code: 'required' } };
	}
	return { ok: true, value: feed };
}

export type ChangeKind = 'insert' | 'update' | 'return' | 'move_out' | 'death' | 'unchanged';
export type Applied =
	| { ok: true; kind: ChangeKind; entry: RegisterEntry; fields: (keyof RegisterEntry)[] }
	| { ok: false; error: FeedError };

/**
 * The register entry after one line, from the entry before it (undefined: not on the register).
 * Dates the line does not carry (住民となった年月日, 住所を定めた年月日, 消除日) follow from the
 * change and its effective date, and are kept when the change does not touch them.
 */
export function applyFeedLine(before: RegisterEntry | undefined, line: FeedLine): Applied {
	const fail = (code: FeedErrorCode, field: FeedColumn | null = null): Applied => ({
		ok: false,
		error: { line: line.line, field, code }
	});
	// Everything but the change itself is a register item the line carries.
	const {
		line: _line,
		change: _change,
		effective_on: _effective,
		atena_number: _atena,
		...items
	} = line;
	let after: RegisterEntry;
	let kind: ChangeKind;
	switch (line.change) {
		case 'birth':
		case 'move_in': {
			const reason = line.change === 'birth' ? 'birth' : 'moved_in';
			const since = line.change === 'birth' ? line.birth_date : line.effective_on;
			if (!before) {
				after = {
					...items,
					status: 'resident',
					became_resident_on: since,
					became_resident_reason: reason,
					address_set_on: since,
					removed_on: null
				};
				kind = 'insert';
			} else if (before.status === 'resident') {
				// The same 出生/転入 line again (a re-run) or a corrected copy of it.
				if (before.became_resident_reason !== reason || before.became_resident_on !== since) {
					return fail('already_registered', 'atena_number');
				}
				after = { ...before, ...items };
				kind = 'update';
			} else {
				if (line.change === 'birth') return fail('already_removed', 'atena_number');
				if (line.effective_on < before.removed_on!) return fail('before_birth', 'effective_on');
				after = {
					...before,
					...items,
					status: 'resident',
					became_resident_on: since,
					became_resident_reason: reason,
					address_set_on: since,
					removed_on: null
				};
				kind = 'return';
			}
			break;
		}
		case 'move_within':
		case 'household':
		case 'update': {
			if (!before) return fail('unknown_person', 'atena_number');
			if (before.status !== 'resident' && line.change !== 'update') {
				return fail('not_resident', 'atena_number');
			}
			const moved = line.change === 'move_within' && before.address !== line.address;
			after = {
				...before,
				...items,
				address_set_on: moved ? line.effective_on : before.address_set_on
			};
			kind = 'update';
			break;
		}
		case 'move_out':
		case 'death': {
			if (!before) return fail('unknown_person', 'atena_number');
			const status = line.change === 'death' ? 'deceased' : 'moved_out';
			if (before.status !== 'resident') {
				if (before.status !== status || before.removed_on !== line.effective_on) {
					return fail('already_removed', 'atena_number');
				}
			} else if (line.effective_on < before.became_resident_on) {
				return fail('before_birth', 'effective_on');
			}
			after = { ...before, ...items, status, removed_on: line.effective_on };
			kind = line.change === 'death' ? 'death' : 'move_out';
			break;
		}
	}
	const fields = before ? registerColumns.filter((column) => before[column] !== after[column]) : [];
	if (before && fields.length === 0) return { ok: true, kind: 'unchanged', entry: after, fields };
	// A 転出 line for someone already moved out that corrects an item is an ordinary update.
	if ((kind === 'move_out' || kind === 'death') && before?.status === after.status) kind = 'update';
	return { ok: true, kind, entry: after, fields };
}

/**
 * The 続柄 a household gives a child's 法定代理人 by the register: a 子 of the 世帯主 is
 * represented by the 世帯主 and their spouse. Other links (a 孫 and which 子 is the parent, a
 * guardian by court decision) cannot be read from the register and are recorded at the desk.
 */
export const householdChildRelationship = '子';
export const householdGuardianRelationships = ['世帯主', '妻', '夫'] as const;
