// A resident's door to documents issued to them or a child they represent (予診票, certificates,
// notices): listed and downloaded from what the back office published to the portal zone (issue
// 27), by an unguessable id and only while the person is still represented — a guardian loses a
// child's documents at the child's 18th birthday like every other page about the child. Each
// list and download reaches the audit log as an item the back office takes in.
import { requireResident, type Caller } from '../audit/caller';
import type { PortalZoneExecutor } from '../db';
import { AccessRefused } from '../errors';
import { isUuid } from '../ids';
import { reportViews, shownPeople } from '../residents/people';
import { projectedDocumentFile } from '../zone/projection';

/** Documents released to the portal, still available, about someone the caller represents now. */
export async function residentDocuments(
	zone: PortalZoneExecutor,
	caller: Caller,
	now = new Date()
) {
	requireResident(caller);
	const { people, documents } = await shownPeople(zone, caller, now);
	await reportViews(zone, caller, { page: 'documents', refs: [], rows: documents.length }, now);
	const names = new Map(people.map((person) => [person.ref, person.nameKanji]));
	return documents.map((document) => ({
		id: document.id,
		kind: document.kind,
		number: document.number,
		person: names.get(document.ref) ?? '',
		issuedAt: document.issuedAt,
		availableUntil: document.availableUntil
	}));
}

/** One issued PDF, if it is the caller's (or a represented child's) and still available. */
export async function residentDocument(
	zone: PortalZoneExecutor,
	caller: Caller,
	input: { id: string },
	now = new Date()
) {
	requireResident(caller);
	const { documents } = await shownPeople(zone, caller, now);
	const listed = isUuid(input.id)
		? documents.find((document) => document.id === input.id)
		: undefined;
	const file = listed ? await projectedDocumentFile(zone, listed.id, now) : null;
	// Reported either way: another account's document leaves a refused download on record.
	await reportViews(
		zone,
		caller,
		{ page: 'document', refs: file ? [listed!.ref] : [], documentId: input.id },
		now
	);
	if (!file) throw new AccessRefused('not_found');
	return { fileName: file.fileName, content: Buffer.from(file.contentBase64, 'base64') };
}
