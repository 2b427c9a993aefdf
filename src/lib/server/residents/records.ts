// The back office's door to the people on the register: 宛名検索 (the route takes it by POST, so
// names and birth dates never sit in a URL) and the person's record, which opens only with a
// purpose (処理事由), is audited as a view with it and shown only in that response — a reload asks
// again; the 個人番号 beside it only for a role allowed to see it, with a reason.
import { m } from '$lib/paraglide/messages';
import {
	actorOf,
	auditAs,
	requirePermission,
	type Caller,
	type StaffCaller
} from '../audit/caller';
import { purposeMessages, purposeOf, purposeRefusal, type PurposeRefusal } from '../audit/purpose';
import { config } from '../config';
import type { Executor } from '../db';
import { AccessRefused, DomainError } from '../errors';
import { vaccinationRecord } from './household';
import { revealMyNumber } from './my-number';
import { enoughCriteria, searchCriteria, searchResidents } from './search';
import { mayUseSuspended, suspendedAmong } from './use-suspension';

export type RecordRefusal =
	'search_invalid' | 'search_not_enough' | PurposeRefusal | 'use_suspended' | 'key_missing';

export class RecordError extends DomainError<RecordRefusal> {
	protected readonly messages = {
		search_invalid: m.search_invalid,
		search_not_enough: m.search_not_enough,
		...purposeMessages,
		use_suspended: m.record_use_suspended,
		key_missing: m.error_unavailable
	};
	constructor(code: RecordRefusal) {
		super(code, code === 'use_suspended' ? 403 : code === 'key_missing' ? 503 : 400);
	}
}

export async function searchPeople(
	db: Executor,
	caller: Caller,
	criteria: { name: string; birthDate: string; atena: string; address: string }
) {
	requirePermission(caller, 'resident.search');
	const parsed = searchCriteria.safeParse(criteria);
	if (!parsed.success) throw new RecordError('search_invalid');
	if (!enoughCriteria(parsed.data)) throw new RecordError('search_not_enough');
	const results = await searchResidents(db, caller.municipalityCode, parsed.data);
	await auditAs(db, caller, {
		action: 'resident.search',
		result: 'ok',
		payload: {
			by: Object.entries(parsed.data)
				.filter(([, value]) => value)
				.map(([key]) => key),
			hits: results.length
		}
	});
	const suspended = await suspendedAmong(
		db,
		caller.municipalityCode,
		results.map((row) => row.atenaNumber)
	);
	return results.map((row) => ({
		...row,
		// The person exists; an ordinary member of staff just cannot open the record.
		suspended: suspended.has(row.atenaNumber),
		canOpen: !suspended.has(row.atenaNumber) || mayUseSuspended(caller.permissions)
	}));
}

async function residentOr404(db: Executor, caller: StaffCaller, atena: string) {
	const row = /^[0-9]{1,15}$/.test(atena)
		? await db
				.selectFrom('resident')
				.select(['atena_number', 'name_kanji', 'name_kana'])
				.where('municipality_code', '=', caller.municipalityCode)
				.where('atena_number', '=', atena)
				.executeTakeFirst()
		: undefined;
	if (!row) throw new AccessRefused('not_found');
	const suspended = (await suspendedAmong(db, caller.municipalityCode, [atena])).has(atena);
	// 利用停止: the record stays closed to ordinary work; the desk handling it may still open it.
	return { row, suspended, canOpen: !suspended || mayUseSuspended(caller.permissions) };
}

/**
 * Before the purpose is given: only who it is, to confirm the right person was chosen.
 * @audit none — the name the member of staff just chose from the search (which was audited)
 */
export async function personToOpen(db: Executor, caller: Caller, input: { atena: string }) {
	requirePermission(caller, 'resident.read');
	const { row, suspended, canOpen } = await residentOr404(db, caller, input.atena);
	return { atena: row.atena_number, name: row.name_kanji, kana: row.name_kana, suspended, canOpen };
}

/** The person's record, for the purpose given. */
export async function openPersonRecord(
	db: Executor,
	caller: Caller,
	input: { atena: string; purpose: FormDataEntryValue | null },
	now = new Date()
) {
	requirePermission(caller, 'resident.read');
	const purpose = purposeOf(input.purpose);
	const refusal = purposeRefusal(purpose);
	if (refusal) {
		await residentOr404(db, caller, input.atena);
		throw new RecordError(refusal);
	}
	return openRecord(db, caller, input.atena, purpose, now);
}

/**
 * The record again with the person's 個人番号, for a role allowed to see it, with a reason. Without
 * the reason the record is shown and the number is not: `reasonMissing` says so.
 */
export async function revealPersonMyNumber(
	db: Executor,
	caller: Caller,
	input: { atena: string; purpose: FormDataEntryValue | null; reason: FormDataEntryValue | null },
	now = new Date()
) {
	requirePermission(caller, 'resident.read');
	requirePermission(caller, 'mynumber.read');
	const purpose = purposeOf(input.purpose);
	const reason = purposeOf(input.reason);
	if ([purpose, reason].some((text) => text && purposeRefusal(text))) {
		await residentOr404(db, caller, input.atena);
		throw new RecordError('purpose_my_number');
	}
	const opened = await openRecord(db, caller, input.atena, purpose || reason, now);
	if (!reason) return { ...opened, reasonMissing: true as const };
	const key = config().myNumberKey;
	if (!key) throw new RecordError('key_missing');
	const myNumber = await revealMyNumber(db, {
		municipalityCode: caller.municipalityCode,
		atenaNumber: opened.record.atena,
		keys: [key],
		actor: actorOf(caller),
		context: caller.context!,
		reason
	});
	return { ...opened, myNumber: myNumber ?? m.mynumber_none() };
}

async function openRecord(
	db: Executor,
	caller: StaffCaller,
	atena: string,
	purpose: string,
	now: Date
) {
	const { row, canOpen } = await residentOr404(db, caller, atena);
	if (!canOpen) {
		await auditAs(db, caller, {
			action: 'resident.view',
			subjectAtenaNumber: row.atena_number,
			objectType: 'resident',
			objectId: row.atena_number,
			reason: purpose,
			result: 'denied',
			payload: { refused: 'use_suspended' }
		});
		throw new RecordError('use_suspended');
	}
	const resident = await db
		.selectFrom('resident')
		.selectAll()
		.where('municipality_code', '=', caller.municipalityCode)
		.where('atena_number', '=', row.atena_number)
		.executeTakeFirstOrThrow();
	const [record, applications] = await Promise.all([
		vaccinationRecord(
			db,
			caller.municipalityCode,
			{
				ref: '',
				atenaNumber: resident.atena_number,
				relation: 'self',
				nameKanji: resident.name_kanji,
				nameKana: resident.name_kana,
				birthDate: resident.birth_date,
				sex: resident.sex as 'male' | 'female'
			},
			'ja',
			now
		),
		db
			.selectFrom('application')
			.select(['id', 'kind', 'status', 'reference', 'submitted_at'])
			.where('municipality_code', '=', caller.municipalityCode)
			.where('subject_atena_number', '=', resident.atena_number)
			.where('status', '<>', 'draft')
			.orderBy('submitted_at', 'desc')
			.limit(20)
			.execute()
	]);
	await auditAs(db, caller, {
		action: 'resident.view',
		subjectAtenaNumber: resident.atena_number,
		objectType: 'resident',
		objectId: resident.atena_number,
		reason: purpose,
		result: 'ok'
	});
	return {
		purpose,
		canSeeMyNumber: caller.permissions.has('mynumber.read'),
		doseLinks: caller.permissions.has('vaccination.read'),
		record: {
			atena: resident.atena_number,
			household: resident.household_number,
			relationship: resident.relationship,
			name: resident.name_kanji,
			kana: resident.name_kana,
			romaji: resident.name_romaji,
			birthDate: resident.birth_date,
			sex: resident.sex,
			address: `〒${resident.postal_code} ${resident.address}`,
			residentType: resident.resident_type,
			status: resident.status,
			doses: record.history.map((dose) => ({
				id: dose.id,
				vaccine: `${dose.vaccineName} ${dose.doseLabel}`,
				on: dose.administeredOn,
				institution: dose.institution,
				pendingCheck: dose.pendingCheck
			})),
			due: record.due.map((dose) => `${dose.vaccineName} ${dose.doseLabel}`),
			applications: applications.map((application) => ({
				id: application.id,
				kind: application.kind,
				status: application.status,
				reference: application.reference
			}))
		}
	};
}
