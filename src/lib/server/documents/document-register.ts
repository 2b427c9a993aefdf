// The back office's doors to the register of issued documents: look a document up by its number,
// see who issued and approved it, its SHA-256 and its versions, print it again (the stored bytes,
// audited), reissue a certificate (the new version supersedes the old), and revoke — asked by one
// person, decided by another. Every view is audited, a refused one too.
import { sql } from 'kysely';
import {
	actorOf,
	auditAs,
	refuseUnknownId,
	requirePermission,
	type Caller,
	type StaffCaller
} from '../audit/caller';
import { config } from '../config';
import type { Executor } from '../db';
import { AccessRefused } from '../errors';
import { isUuid } from '../ids';
import type { Municipality } from '../municipality';
import { issueCertificate, reprintDocument } from './issue';
import { decideRevocation, requestRevocation, RevocationError } from './registry';
import { sameCity } from '../db/same-city';

const permission = 'document.issue';

/**
 * The revocations waiting for a second person; a number looked up opens its document (`found`).
 */
export async function documentRegister(db: Executor, caller: Caller, input: { number: string }) {
	requirePermission(caller, permission);
	const number = input.number.trim().toUpperCase().slice(0, 40);
	if (number) {
		const found = await db
			.selectFrom('issued_document')
			.select('id')
			.where('municipality_code', '=', caller.municipalityCode)
			.where('document_number', '=', number)
			.executeTakeFirst();
		// The document's own page audits the view.
		if (found) return { found: found.id } as const;
	}
	const pending = await db
		.selectFrom('document_revocation as r')
		.innerJoin('issued_document as d', 'd.id', 'r.document_id')
		.select([
			sql<string>`r.id::text`.as('id'),
			'd.id as document_id',
			'd.document_number',
			'd.kind',
			'r.reason',
			'r.requested_at',
			'r.requested_by'
		])
		.where('r.municipality_code', '=', caller.municipalityCode)
		.where('r.decision', 'is', null)
		.orderBy('r.requested_at')
		.limit(100)
		.execute();
	await auditAs(db, caller, {
		action: 'document.list',
		result: number ? 'denied' : 'ok',
		payload: { pending_revocations: pending.length, ...(number ? { lookup: 'not_found' } : {}) }
	});
	return {
		found: null,
		number,
		notFound: number !== '',
		pending: pending.map((row) => ({
			id: row.id,
			documentId: row.document_id,
			number: row.document_number,
			kind: row.kind,
			reason: row.reason,
			requestedAt: row.requested_at.toISOString(),
			own: row.requested_by === caller.id
		}))
	};
}

/** The document with its subject's name; a guessed or another city's id is refused and audited. */
async function documentOf(db: Executor, caller: StaffCaller, id: string) {
	const row = isUuid(id)
		? await db
				.selectFrom('issued_document as d')
				.innerJoin('resident as r', (join) =>
					sameCity(join, ['r.atena_number', 'd.subject_atena_number'])
				)
				.select([
					'd.id',
					'd.municipality_code',
					'd.application_id',
					'd.kind',
					'd.document_number',
					'd.file_name',
					'd.issued_at',
					'd.issued_by',
					'd.approved_by',
					'd.status',
					'd.status_changed_at',
					'd.status_reason',
					'd.supersedes',
					'd.verify_id',
					'd.sha256',
					'd.language',
					sql<number>`length(d.content)`.as('size'),
					'd.subject_atena_number',
					'r.name_kanji'
				])
				.where('d.municipality_code', '=', caller.municipalityCode)
				.where('d.id', '=', id)
				.executeTakeFirst()
		: undefined;
	return (
		row ??
		refuseUnknownId(db, caller, { action: 'document.view', objectType: 'issued_document', id })
	);
}

/** One document: who issued and approved it, its hash, versions and revocations. */
export async function registeredDocument(db: Executor, caller: Caller, input: { id: string }) {
	requirePermission(caller, permission);
	const document = await documentOf(db, caller, input.id);
	const [supersededBy, previous, revocations, names] = await Promise.all([
		db
			.selectFrom('issued_document')
			.select(['id', 'document_number'])
			.where('supersedes', '=', document.id)
			.executeTakeFirst(),
		document.supersedes
			? db
					.selectFrom('issued_document')
					.select(['id', 'document_number'])
					.where('id', '=', document.supersedes)
					.executeTakeFirst()
			: undefined,
		db
			.selectFrom('document_revocation')
			.select([
				sql<string>`id::text`.as('id'),
				'reason',
				'requested_by',
				'requested_at',
				'decision',
				'decided_by',
				'decided_at',
				'decision_note'
			])
			.where('document_id', '=', document.id)
			.orderBy('requested_at', 'desc')
			.execute(),
		db
			.selectFrom('staff_user')
			.select(['id', 'display_name'])
			.where('municipality_code', '=', caller.municipalityCode)
			.execute()
	]);
	const name = (id: string | null) =>
		id ? (names.find((row) => row.id === id)?.display_name ?? id) : null;
	await auditAs(db, caller, {
		action: 'document.view',
		subjectAtenaNumber: document.subject_atena_number,
		objectType: 'issued_document',
		objectId: document.id,
		result: 'ok'
	});
	const open = revocations.find((row) => row.decision === null);
	return {
		id: document.id,
		kind: document.kind,
		number: document.document_number,
		person: `${document.name_kanji}（${document.subject_atena_number}）`,
		applicationId: document.application_id,
		issuedAt: document.issued_at.toISOString(),
		issuedBy: name(document.issued_by),
		approvedBy: name(document.approved_by),
		status: document.status,
		statusChangedAt: document.status_changed_at?.toISOString() ?? null,
		statusReason: document.status_reason,
		sha256: document.sha256?.toString('hex') ?? '',
		size: Number(document.size),
		verifyUrl: document.verify_id ? `${config().origin}/verify/${document.verify_id}` : null,
		previous: previous ? { id: previous.id, number: previous.document_number } : null,
		next: supersededBy ? { id: supersededBy.id, number: supersededBy.document_number } : null,
		revocations: revocations.map((row) => ({
			id: row.id,
			reason: row.reason,
			requestedBy: name(row.requested_by),
			requestedAt: row.requested_at.toISOString(),
			decision: row.decision,
			decidedBy: name(row.decided_by),
			decidedAt: row.decided_at?.toISOString() ?? null,
			note: row.decision_note,
			own: row.requested_by === caller.id
		})),
		canRevoke: document.status === 'valid' && !open,
		canDecide: open !== undefined && open.requested_by !== caller.id,
		canReissue:
			document.status === 'valid' &&
			document.kind === 'certificate' &&
			document.application_id !== null
	};
}

/** The stored bytes, exactly as first issued (a reprint), audited. */
export async function reprintRegisteredDocument(
	db: Executor,
	caller: Caller,
	input: { id: string }
) {
	requirePermission(caller, permission);
	const row = await reprintDocument(db, {
		municipalityCode: caller.municipalityCode,
		documentId: input.id,
		actor: actorOf(caller),
		context: caller.context
	});
	if (!row) throw new AccessRefused('not_found');
	return { fileName: row.file_name, content: row.content };
}

/** Asks for the document to be revoked; it stays valid until someone else decides. */
export async function askRevocation(
	db: Executor,
	caller: Caller,
	input: { id: string; reason: string }
): Promise<void> {
	requirePermission(caller, permission);
	const document = await documentOf(db, caller, input.id);
	if (!input.reason) throw new RevocationError('reason_required');
	await requestRevocation(db, {
		municipalityCode: caller.municipalityCode,
		documentId: document.id,
		reason: input.reason,
		actor: actorOf(caller),
		context: caller.context,
		now: new Date()
	});
}

/** Another person revokes the document or declines (declining says why). */
export async function decideDocumentRevocation(
	db: Executor,
	caller: Caller,
	input: { id: string; revocation: string; revoke: boolean; note: string }
): Promise<'revoked' | 'declined'> {
	requirePermission(caller, permission);
	await documentOf(db, caller, input.id);
	const decision = input.revoke ? 'revoked' : 'declined';
	if (decision === 'declined' && !input.note) throw new RevocationError('note_required');
	await decideRevocation(db, {
		municipalityCode: caller.municipalityCode,
		revocationId: input.revocation,
		decision,
		note: input.note,
		actor: actorOf(caller),
		context: caller.context,
		now: new Date()
	});
	return decision;
}

/**
 * A certificate issued again from the same request, with the record as it stands now (after a
 * dose correction, say); the new version supersedes the old, whose verify page then says so.
 * A correction since that voided or unchecked the doses leaves nothing to certify: refused.
 */
export async function reissueCertificate(
	db: Executor,
	caller: Caller,
	input: { id: string }
): Promise<{ id: string }> {
	requirePermission(caller, permission);
	const document = await documentOf(db, caller, input.id);
	const applicationId = document.application_id;
	if (document.kind !== 'certificate' || !applicationId) {
		throw new RevocationError('not_reissuable');
	}
	return db.transaction().execute(async (trx) => {
		const [municipality, subject, version] = await Promise.all([
			trx
				.selectFrom('municipality')
				.selectAll()
				.where('municipality_code', '=', caller.municipalityCode)
				.executeTakeFirstOrThrow(),
			trx
				.selectFrom('resident')
				.select(['atena_number', 'name_kanji', 'birth_date', 'sex'])
				.where('municipality_code', '=', caller.municipalityCode)
				.where('atena_number', '=', document.subject_atena_number)
				.executeTakeFirstOrThrow(),
			trx
				.selectFrom('application_version as v')
				.innerJoin('application as a', 'a.id', 'v.application_id')
				.select('v.payload')
				.where('a.id', '=', applicationId)
				.whereRef('v.version', '=', 'a.current_version')
				.executeTakeFirstOrThrow()
		]);
		const issued = await issueCertificate(trx, {
			municipality: municipality as Municipality,
			subject,
			payload: JSON.parse(version.payload),
			applicationId,
			issuedBy: caller.id,
			approvedBy: null,
			supersedes: document.id,
			settings: { origin: config().origin, sealing: config().documentKey },
			actor: actorOf(caller),
			context: caller.context,
			now: new Date()
		});
		return { id: issued.id };
	});
}
