// Request handling for 宛名検索 and the person's record in the back office. Searching is a POST
// (names and birth dates never sit in a URL); opening a record needs a purpose (処理事由), is
// audited as a view with it, and shows the record only in that response — a reload asks again.
import { error, fail, type RequestEvent } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages';
import { purposeOf, purposeRefusal } from '../audit/purpose';
import { recordAudit } from '../audit/record';
import { staffActor } from '../auth/http';
import { config } from '../config';
import { db } from '../db';
import { revealMyNumber } from './my-number';
import { mayUseSuspended, suspendedAmong } from './use-suspension';
import { requirePermission } from '../staff/permissions';
import { vaccinationRecord } from './household';
import { enoughCriteria, searchCriteria, searchResidents } from './search';
import { formOf } from '../http/form';

export async function searchAction(event: RequestEvent) {
	const staff = requirePermission(event.locals, 'resident.search');
	const form = await formOf(event.request);
	const raw = {
		name: String(form.get('name') ?? ''),
		birthDate: String(form.get('birth_date') ?? ''),
		atena: String(form.get('atena') ?? ''),
		address: String(form.get('address') ?? '')
	};
	const parsed = searchCriteria.safeParse(raw);
	if (!parsed.success) return fail(400, { criteria: raw, message: m.search_invalid() });
	if (!enoughCriteria(parsed.data)) {
		return fail(400, { criteria: raw, message: m.search_not_enough() });
	}
	const results = await searchResidents(db(), staff.municipalityCode, parsed.data);
	await recordAudit(db(), {
		municipalityCode: staff.municipalityCode,
		actor: staffActor(event.locals),
		context: event.locals.audit,
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
		db(),
		staff.municipalityCode,
		results.map((row) => row.atenaNumber)
	);
	return {
		criteria: raw,
		results: results.map((row) => ({
			...row,
			// The person exists; an ordinary member of staff just cannot open the record.
			suspended: suspended.has(row.atenaNumber),
			canOpen: !suspended.has(row.atenaNumber) || mayUseSuspended(staff.permissions)
		}))
	};
}

async function residentOr404(event: RequestEvent) {
	const staff = requirePermission(event.locals, 'resident.read');
	const atena = event.params.atena ?? '';
	const row = /^[0-9]{1,15}$/.test(atena)
		? await db()
				.selectFrom('resident')
				.select(['atena_number', 'name_kanji', 'name_kana'])
				.where('municipality_code', '=', staff.municipalityCode)
				.where('atena_number', '=', atena)
				.executeTakeFirst()
		: undefined;
	if (!row) error(404, m.error_not_found());
	const suspended = (await suspendedAmong(db(), staff.municipalityCode, [atena])).has(atena);
	// 利用停止: the record stays closed to ordinary work; the desk handling it may still open it.
	return { staff, row, suspended, canOpen: !suspended || mayUseSuspended(staff.permissions) };
}

/** Before the purpose is given: only who it is, to confirm the right person was chosen. */
export async function recordLoad(event: RequestEvent) {
	const { row, suspended, canOpen } = await residentOr404(event);
	return { atena: row.atena_number, name: row.name_kanji, kana: row.name_kana, suspended, canOpen };
}

export async function openRecordAction(event: RequestEvent) {
	const form = await formOf(event.request);
	const purpose = purposeOf(form.get('purpose'));
	const refusal = purposeRefusal(purpose);
	if (refusal) {
		await residentOr404(event);
		return fail(400, { message: refusal });
	}
	return openRecord(event, purpose);
}

/** The record again with the person's 個人番号, for a role allowed to see it, with a reason. */
export async function revealMyNumberAction(event: RequestEvent) {
	const staff = requirePermission(event.locals, 'mynumber.read');
	const form = await formOf(event.request);
	const purpose = purposeOf(form.get('purpose'));
	const reason = purposeOf(form.get('reason'));
	const refused = [purpose, reason].some((text) => text && purposeRefusal(text));
	if (refused) {
		await residentOr404(event);
		return fail(400, { message: m.record_purpose_my_number() });
	}
	const opened = await openRecord(event, purpose || reason);
	if (!reason) return fail(400, { ...opened, message: m.mynumber_reason_required() });
	const key = config().myNumberKey;
	if (!key) error(503);
	const myNumber = await revealMyNumber(db(), {
		municipalityCode: staff.municipalityCode,
		atenaNumber: opened.record.atena,
		keys: [key],
		actor: staffActor(event.locals),
		context: event.locals.audit,
		reason
	});
	return { ...opened, myNumber: myNumber ?? m.mynumber_none() };
}

async function openRecord(event: RequestEvent, purpose: string) {
	const { staff, row, canOpen } = await residentOr404(event);
	if (!canOpen) {
		await recordAudit(db(), {
			municipalityCode: staff.municipalityCode,
			actor: staffActor(event.locals),
			context: event.locals.audit,
			action: 'resident.view',
			subjectAtenaNumber: row.atena_number,
			objectType: 'resident',
			objectId: row.atena_number,
			reason: purpose,
			result: 'denied',
			payload: { refused: 'use_suspended' }
		});
		error(403, m.record_use_suspended());
	}
	const resident = await db()
		.selectFrom('resident')
		.selectAll()
		.where('municipality_code', '=', staff.municipalityCode)
		.where('atena_number', '=', row.atena_number)
		.executeTakeFirstOrThrow();
	const [record, applications] = await Promise.all([
		vaccinationRecord(
			db(),
			staff.municipalityCode,
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
			new Date()
		),
		db()
			.selectFrom('application')
			.select(['id', 'kind', 'status', 'reference', 'submitted_at'])
			.where('municipality_code', '=', staff.municipalityCode)
			.where('subject_atena_number', '=', resident.atena_number)
			.where('status', '<>', 'draft')
			.orderBy('submitted_at', 'desc')
			.limit(20)
			.execute()
	]);
	await recordAudit(db(), {
		municipalityCode: staff.municipalityCode,
		actor: staffActor(event.locals),
		context: event.locals.audit,
		action: 'resident.view',
		subjectAtenaNumber: resident.atena_number,
		objectType: 'resident',
		objectId: resident.atena_number,
		reason: purpose,
		result: 'ok'
	});
	return {
		purpose,
		canSeeMyNumber: staff.permissions.has('mynumber.read'),
		doseLinks: staff.permissions.has('vaccination.read'),
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
