// The document registry: every issued PDF gets a number, its exact bytes (kept, so a reprint is the
// same file; the database computes their SHA-256), who issued and who approved it, and a status.
// A reissue supersedes the earlier version; a revocation is asked for by one person and decided by
// another. The public verify page reads only the summary stored for it.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { recordAudit, type Actor, type AuditContext } from '../audit/record';
import type { Executor } from '../db';
import { DomainError } from '../errors';
import { m } from '$lib/paraglide/messages';

export const documentPrefixes = {
	certificate: 'EC',
	reissue: 'YS',
	outside_request: 'ID',
	notice: 'TN',
	relief_forward: 'SD',
	disclosure: 'KJ'
} as const;
export type DocumentKind = keyof typeof documentPrefixes;

/** EC-2026-0000123: kind, year of issue, a number that never repeats. */
export async function nextDocumentNumber(
	db: Executor,
	kind: DocumentKind,
	issuedOn: string
): Promise<string> {
	const { rows } = await sql<{
		n: string;
	}>`SELECT nextval('issued_document_number_seq')::text AS n`.execute(db);
	return `${documentPrefixes[kind]}-${issuedOn.slice(0, 4)}-${rows[0]!.n.padStart(7, '0')}`;
}

/** The certificate's long verify id (128 random bits), for addresses printed before the code. */
export const newVerifyId = () => randomBytes(16).toString('base64url');

// Crockford's base32: no I, L, O or U, so a code read aloud or typed is not mistaken.
const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The printed verify code: 12 characters (60 random bits), grouped ABCD-EFGH-JKMN. */
export function newVerifyCode(): string {
	const bytes = randomBytes(12);
	return [...bytes].map((byte) => crockford[byte & 31]).join('');
}

export const groupedVerifyCode = (code: string) => code.match(/.{4}/g)!.join('-');

/** A code as typed: any case, with or without hyphens or spaces, O for 0 and I or L for 1. */
export function normalizeVerifyCode(typed: string): string | null {
	const code = typed.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
	return /^[0-9A-HJKMNP-TV-Z]{12}$/.test(code) ? code : null;
}

/** What the public verify page may show: what the holder shows anyway by handing it over. */
export type VerifySummary = {
	holder: string;
	birthDate: string;
	doses: { vaccine: string; dose: string; date: string }[];
	/** What each SMART Health Card of the certificate covers (certificates since issue 25). */
	cards?: string[];
	issuer: string;
	issuedOn: string;
};

export async function registerDocument(
	db: Executor,
	input: {
		municipalityCode: string;
		kind: DocumentKind;
		documentNumber: string;
		subjectAtenaNumber: string;
		applicationId: string | null;
		language: 'ja' | 'en';
		fileName: string;
		bytes: Uint8Array;
		issuedBy: string;
		approvedBy: string | null;
		verify?: {
			id: string;
			code: string;
			summary: VerifySummary;
			kid: string;
			healthCards: string[];
		};
		supersedes?: string;
		/** false: kept from the resident until a person releases it (relief documents, ACL-9). */
		released?: boolean;
		/** Downloadable in the portal until then (a disclosure delivered online). */
		availableUntil?: Date;
		actor: Actor;
		context?: AuditContext;
		now: Date;
	}
): Promise<{ id: string }> {
	if (input.supersedes) {
		const replaced = await db
			.updateTable('issued_document')
			.set({ status: 'superseded', status_changed_at: input.now, status_reason: 'reissued' })
			.where('id', '=', input.supersedes)
			.where('municipality_code', '=', input.municipalityCode)
			.where('status', '=', 'valid')
			.executeTakeFirst();
		if (replaced.numUpdatedRows !== 1n)
			throw new RevocationError('not_valid', 'only a valid document can be reissued');
	}
	const row = await db
		.insertInto('issued_document')
		.values({
			municipality_code: input.municipalityCode,
			application_id: input.applicationId,
			subject_atena_number: input.subjectAtenaNumber,
			kind: input.kind,
			document_number: input.documentNumber,
			file_name: input.fileName,
			content: Buffer.from(input.bytes),
			issued_at: input.now,
			language: input.language,
			issued_by: input.issuedBy,
			approved_by: input.approvedBy,
			supersedes: input.supersedes ?? null,
			verify_id: input.verify?.id ?? null,
			verify_summary: input.verify ? JSON.stringify(input.verify.summary) : null,
			signing_kid: input.verify?.kid ?? null,
			verify_code: input.verify?.code ?? null,
			health_cards: input.verify?.healthCards ?? null,
			released_at: input.released === false ? null : input.now,
			available_until: input.availableUntil ?? null
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	await recordAudit(db, {
		municipalityCode: input.municipalityCode,
		actor: input.actor,
		context: input.context,
		action: 'document.issue',
		subjectAtenaNumber: input.subjectAtenaNumber,
		objectType: 'issued_document',
		objectId: row.id,
		result: 'ok',
		payload: {
			kind: input.kind,
			number: input.documentNumber,
			application: input.applicationId,
			supersedes: input.supersedes ?? null,
			bytes: input.bytes.length
		}
	});
	return row;
}

export type RevocationRefusal =
	| 'not_found'
	| 'not_valid'
	| 'open'
	| 'own_request'
	| 'not_open'
	| 'reason_required'
	| 'note_required'
	| 'not_reissuable';

/** A revocation or reissue refused: no such document (404), a form to mend (400), a conflict (409). */
export class RevocationError extends DomainError<RevocationRefusal> {
	protected readonly messages = {
		not_found: m.error_not_found,
		not_valid: m.document_revoke_not_valid,
		open: m.document_revoke_open,
		own_request: m.document_revoke_own,
		not_open: m.document_revoke_not_open,
		reason_required: m.document_revoke_reason,
		note_required: m.document_revoke_note,
		not_reissuable: m.document_reissue_not_possible
	};
	constructor(code: RevocationRefusal, /** For the log: what happened. */ detail?: string) {
		super(
			code,
			code === 'not_found'
				? 404
				: ['reason_required', 'note_required', 'not_reissuable'].includes(code)
					? 400
					: 409
		);
		if (detail) this.message = detail;
	}
}

/** Asks for a document to be revoked; it stays valid until someone else approves. */
export async function requestRevocation(
	db: Executor,
	input: {
		municipalityCode: string;
		documentId: string;
		reason: string;
		actor: Actor;
		context?: AuditContext;
		now: Date;
	}
): Promise<{ id: string }> {
	const document = await db
		.selectFrom('issued_document')
		.select(['id', 'status', 'subject_atena_number'])
		.where('municipality_code', '=', input.municipalityCode)
		.where('id', '=', input.documentId)
		.executeTakeFirst();
	if (!document) throw new RevocationError('not_found');
	if (document.status !== 'valid')
		throw new RevocationError('not_valid', 'only a valid document can be reissued');
	return db.transaction().execute(async (trx) => {
		const row = await trx
			.insertInto('document_revocation')
			.values({
				municipality_code: input.municipalityCode,
				document_id: document.id,
				reason: input.reason,
				requested_by: input.actor.id,
				requested_at: input.now
			})
			.onConflict((conflict) =>
				conflict.column('document_id').where('decision', 'is', null).doNothing()
			)
			.returning(sql<string>`id::text`.as('id'))
			.executeTakeFirst();
		if (!row) throw new RevocationError('open');
		await recordAudit(trx, {
			municipalityCode: input.municipalityCode,
			actor: input.actor,
			context: input.context,
			action: 'document.revoke',
			subjectAtenaNumber: document.subject_atena_number,
			objectType: 'issued_document',
			objectId: document.id,
			reason: input.reason,
			result: 'ok',
			payload: { stage: 'requested', revocation: row.id }
		});
		return row;
	});
}

/** A second person revokes (the document's status changes for every verifier) or declines. */
export async function decideRevocation(
	db: Executor,
	input: {
		municipalityCode: string;
		revocationId: string;
		decision: 'revoked' | 'declined';
		note: string;
		actor: Actor;
		context?: AuditContext;
		now: Date;
	}
): Promise<void> {
	let subject: { atena: string; documentId: string } | undefined;
	try {
		await db.transaction().execute(async (trx) => {
			const revocation = /^[0-9]{1,18}$/.test(input.revocationId)
				? await trx
						.selectFrom('document_revocation as r')
						.innerJoin('issued_document as d', 'd.id', 'r.document_id')
						.select([
							'r.document_id',
							'r.reason',
							'r.requested_by',
							'r.decision',
							'd.subject_atena_number'
						])
						.where('r.municipality_code', '=', input.municipalityCode)
						.where('r.id', '=', input.revocationId)
						.forUpdate('r')
						.executeTakeFirst()
				: undefined;
			if (!revocation) throw new RevocationError('not_found');
			subject = { atena: revocation.subject_atena_number, documentId: revocation.document_id };
			if (revocation.decision !== null) throw new RevocationError('not_open');
			if (revocation.requested_by === input.actor.id) throw new RevocationError('own_request');
			await trx
				.updateTable('document_revocation')
				.set({
					decision: input.decision,
					decided_by: input.actor.id,
					decided_at: input.now,
					decision_note: input.note || null
				})
				.where('id', '=', input.revocationId)
				.execute();
			if (input.decision === 'revoked') {
				const revoked = await trx
					.updateTable('issued_document')
					.set({
						status: 'revoked',
						status_changed_at: input.now,
						status_reason: revocation.reason
					})
					.where('id', '=', revocation.document_id)
					.where('status', '=', 'valid')
					.executeTakeFirst();
				if (revoked.numUpdatedRows !== 1n)
					throw new RevocationError('not_valid', 'only a valid document can be reissued');
			}
			await recordAudit(trx, {
				municipalityCode: input.municipalityCode,
				actor: input.actor,
				context: input.context,
				action: 'document.revoke',
				subjectAtenaNumber: subject.atena,
				objectType: 'issued_document',
				objectId: subject.documentId,
				reason: revocation.reason,
				result: 'ok',
				payload: { stage: input.decision, revocation: input.revocationId }
			});
		});
	} catch (failure) {
		if (failure instanceof RevocationError) {
			await recordAudit(db, {
				municipalityCode: input.municipalityCode,
				actor: input.actor,
				context: input.context,
				action: 'document.revoke',
				subjectAtenaNumber: subject?.atena,
				objectType: 'issued_document',
				objectId: subject?.documentId ?? input.revocationId.slice(0, 20),
				reason: failure.code,
				result: 'denied',
				payload: { refused: failure.code }
			});
		}
		throw failure;
	}
}
