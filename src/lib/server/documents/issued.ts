// A resident's door to documents issued to them or a child they represent (予診票, certificates,
// notices): listed from issued_document, downloaded by an unguessable id and only while the
// person is still represented — a guardian loses a child's documents at the child's 18th
// birthday like every other page about the child.
import { auditAs, requireResident, type Caller, type ResidentCaller } from '../audit/caller';
import type { Executor } from '../db';
import { AccessRefused } from '../errors';
import { isUuid } from '../ids';
import { representedPeople, type Person } from '../residents/household';

/**
 * Documents released to the portal, still available (a disclosure delivered there can be
 * downloaded for a limited time only), about someone the caller represents now.
 */
function shownTo(db: Executor, caller: ResidentCaller, household: Person[], now: Date) {
	return db
		.selectFrom('issued_document')
		.where('municipality_code', '=', caller.municipalityCode)
		.where('released_at', 'is not', null)
		.where((eb) => eb.or([eb('available_until', 'is', null), eb('available_until', '>', now)]))
		.where(
			'subject_atena_number',
			'in',
			household.map((person) => person.atenaNumber)
		);
}

export async function residentDocuments(db: Executor, caller: Caller, now = new Date()) {
	requireResident(caller);
	const household = await representedPeople(db, caller, now);
	const rows = await shownTo(db, caller, household, now)
		.select([
			'id',
			'kind',
			'document_number',
			'subject_atena_number',
			'issued_at',
			'available_until'
		])
		.orderBy('issued_at', 'desc')
		.limit(200)
		.execute();
	await auditAs(db, caller, {
		action: 'document.list',
		result: 'ok',
		payload: { rows: rows.length }
	});
	const names = new Map(household.map((person) => [person.atenaNumber, person.nameKanji]));
	return rows.map((row) => ({
		id: row.id,
		kind: row.kind,
		number: row.document_number,
		person: names.get(row.subject_atena_number) ?? '',
		issuedAt: row.issued_at.toISOString(),
		availableUntil: row.available_until?.toISOString() ?? null
	}));
}

/** One issued PDF, if it is the caller's (or a represented child's) and still available. */
export async function residentDocument(
	db: Executor,
	caller: Caller,
	input: { id: string },
	now = new Date()
) {
	requireResident(caller);
	const household = await representedPeople(db, caller, now);
	const row = isUuid(input.id)
		? await shownTo(db, caller, household, now)
				.select(['id', 'file_name', 'content', 'subject_atena_number'])
				.where('id', '=', input.id)
				.executeTakeFirst()
		: undefined;
	await auditAs(db, caller, {
		action: 'document.download',
		subjectAtenaNumber: row?.subject_atena_number,
		objectType: 'issued_document',
		objectId: input.id.slice(0, 64),
		result: row ? 'ok' : 'denied'
	});
	if (!row) throw new AccessRefused('not_found');
	return { fileName: row.file_name, content: row.content };
}
