// The back office's document registry: look a document up by its number, see who issued and
// approved it, its SHA-256 and its versions, print it again (the stored bytes, audited), reissue
// a certificate (the new version supersedes the old), and revoke — asked by one person, decided
// by another.
import { actorOf } from '../audit/caller';
import { staffCaller } from '../http/caller';
import { error, fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { sql } from 'kysely';
import { m } from '$lib/paraglide/messages';
import { recordAudit } from '../audit/record';
import { config } from '../config';
import { db } from '../db';
import type { Municipality } from '../municipality';
import { requirePermission } from '../staff/permissions';
import { CertificateContentError, issueCertificate, reprintDocument } from './issue';
import { decideRevocation, requestRevocation, RevocationError } from './registry';
import { SigningKeyError } from './signing-keys';
import { formOf } from '../http/form';
import { isUuid } from '../ids';

export async function registryLoad(event: RequestEvent) {
	const staff = requirePermission(event.locals, 'document.issue');
	const number = (event.url.searchParams.get('number') ?? '').trim().toUpperCase().slice(0, 40);
	if (number) {
		const found = await db()
			.selectFrom('issued_document')
			.select('id')
			.where('municipality_code', '=', staff.municipalityCode)
			.where('document_number', '=', number)
			.executeTakeFirst();
		if (found) redirect(303, `/staff/documents/${found.id}`);
	}
	const pending = await db()
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
		.where('r.municipality_code', '=', staff.municipalityCode)
		.where('r.decision', 'is', null)
		.orderBy('r.requested_at')
		.limit(100)
		.execute();
	await recordAudit(db(), {
		municipalityCode: staff.municipalityCode,
		actor: actorOf(staffCaller(event.locals)),
		context: event.locals.audit,
		action: 'document.list',
		result: number ? 'denied' : 'ok',
		payload: { pending_revocations: pending.length, ...(number ? { lookup: 'not_found' } : {}) }
	});
	return {
		number,
		notFound: number !== '',
		pending: pending.map((row) => ({
			id: row.id,
			documentId: row.document_id,
			number: row.document_number,
			kind: row.kind,
			reason: row.reason,
			requestedAt: row.requested_at.toISOString(),
			own: row.requested_by === staff.id
		}))
	};
}

async function documentOr404(event: RequestEvent) {
	const staff = requirePermission(event.locals, 'document.issue');
	const id = event.params.id ?? '';
	const row = isUuid(id)
		? await db()
				.selectFrom('issued_document as d')
				.innerJoin('resident as r', (join) =>
					join
						.onRef('r.municipality_code', '=', 'd.municipality_code')
						.onRef('r.atena_number', '=', 'd.subject_atena_number')
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
				.where('d.municipality_code', '=', staff.municipalityCode)
				.where('d.id', '=', id)
				.executeTakeFirst()
		: undefined;
	if (!row) {
		await recordAudit(db(), {
			municipalityCode: staff.municipalityCode,
			actor: actorOf(staffCaller(event.locals)),
			context: event.locals.audit,
			action: 'document.view',
			objectType: 'issued_document',
			objectId: id.slice(0, 64),
			result: 'denied'
		});
		error(404, m.error_not_found());
	}
	return { staff, document: row };
}

export async function documentLoad(event: RequestEvent) {
	const { staff, document } = await documentOr404(event);
	const [supersededBy, revocations, names] = await Promise.all([
		db()
			.selectFrom('issued_document')
			.select(['id', 'document_number'])
			.where('supersedes', '=', document.id)
			.executeTakeFirst(),
		db()
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
		db()
			.selectFrom('staff_user')
			.select(['id', 'display_name'])
			.where('municipality_code', '=', staff.municipalityCode)
			.execute()
	]);
	const name = (id: string | null) =>
		id ? (names.find((row) => row.id === id)?.display_name ?? id) : null;
	await recordAudit(db(), {
		municipalityCode: staff.municipalityCode,
		actor: actorOf(staffCaller(event.locals)),
		context: event.locals.audit,
		action: 'document.view',
		subjectAtenaNumber: document.subject_atena_number,
		objectType: 'issued_document',
		objectId: document.id,
		result: 'ok'
	});
	const previous = document.supersedes
		? await db()
				.selectFrom('issued_document')
				.select(['id', 'document_number'])
				.where('id', '=', document.supersedes)
				.executeTakeFirst()
		: undefined;
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
			own: row.requested_by === staff.id
		})),
		canRevoke: document.status === 'valid' && !open,
		canDecide: open !== undefined && open.requested_by !== staff.id,
		canReissue:
			document.status === 'valid' &&
			document.kind === 'certificate' &&
			document.application_id !== null,
		done: event.url.searchParams.get('done')
	};
}

/** The stored bytes, inline, exactly as first issued (a reprint), audited. */
export async function documentPdf(event: RequestEvent): Promise<Response> {
	const staff = requirePermission(event.locals, 'document.issue');
	const row = await reprintDocument(db(), {
		municipalityCode: staff.municipalityCode,
		documentId: event.params.id ?? '',
		actor: actorOf(staffCaller(event.locals)),
		context: event.locals.audit
	});
	if (!row) error(404, m.error_not_found());
	return new Response(new Uint8Array(row.content), {
		headers: {
			'content-type': 'application/pdf',
			'content-disposition': `inline; filename*=UTF-8''${encodeURIComponent(row.file_name)}`,
			'cache-control': 'private, no-store',
			'x-content-type-options': 'nosniff'
		}
	});
}

const revocationText: Record<RevocationError['code'], () => string> = {
	not_found: m.error_not_found,
	not_valid: m.document_revoke_not_valid,
	open: m.document_revoke_open,
	own_request: m.document_revoke_own,
	not_open: m.document_revoke_not_open
};

const fieldsOf = async (event: RequestEvent) => {
	const form = await formOf(event.request);
	return (name: string) =>
		String(form.get(name) ?? '')
			.trim()
			.slice(0, 400);
};

export async function revokeAction(event: RequestEvent) {
	const { staff, document } = await documentOr404(event);
	const field = await fieldsOf(event);
	const reason = field('reason');
	if (!reason) return fail(400, { form: 'revoke', message: m.document_revoke_reason() });
	try {
		await requestRevocation(db(), {
			municipalityCode: staff.municipalityCode,
			documentId: document.id,
			reason,
			actor: actorOf(staffCaller(event.locals)),
			context: event.locals.audit,
			now: new Date()
		});
	} catch (failure) {
		if (failure instanceof RevocationError) {
			return fail(409, { form: 'revoke', message: revocationText[failure.code]() });
		}
		throw failure;
	}
	redirect(303, `/staff/documents/${document.id}?done=requested`);
}

export async function decideRevocationAction(event: RequestEvent) {
	const { staff, document } = await documentOr404(event);
	const field = await fieldsOf(event);
	const decision = field('decision') === 'revoke' ? 'revoked' : 'declined';
	const note = field('note');
	if (decision === 'declined' && !note) {
		return fail(400, { form: 'decide', message: m.document_revoke_note() });
	}
	try {
		await decideRevocation(db(), {
			municipalityCode: staff.municipalityCode,
			revocationId: field('revocation'),
			decision,
			note,
			actor: actorOf(staffCaller(event.locals)),
			context: event.locals.audit,
			now: new Date()
		});
	} catch (failure) {
		if (failure instanceof RevocationError) {
			return fail(409, { form: 'decide', message: revocationText[failure.code]() });
		}
		throw failure;
	}
	redirect(303, `/staff/documents/${document.id}?done=${decision}`);
}

/**
 * A certificate issued again from the same request, with the record as it stands now (after a
 * dose correction, say); the new version supersedes the old, whose verify page then says so.
 */
export async function reissueAction(event: RequestEvent) {
	const { staff, document } = await documentOr404(event);
	if (document.kind !== 'certificate' || !document.application_id) {
		return fail(400, { form: 'reissue', message: m.document_reissue_not_possible() });
	}
	let issuedId: string;
	try {
		issuedId = await db()
			.transaction()
			.execute(async (trx) => {
				const [municipality, subject, version] = await Promise.all([
					trx
						.selectFrom('municipality')
						.selectAll()
						.where('municipality_code', '=', staff.municipalityCode)
						.executeTakeFirstOrThrow(),
					trx
						.selectFrom('resident')
						.select(['atena_number', 'name_kanji', 'birth_date', 'sex'])
						.where('municipality_code', '=', staff.municipalityCode)
						.where('atena_number', '=', document.subject_atena_number)
						.executeTakeFirstOrThrow(),
					trx
						.selectFrom('application_version as v')
						.innerJoin('application as a', 'a.id', 'v.application_id')
						.select('v.payload')
						.where('a.id', '=', document.application_id!)
						.whereRef('v.version', '=', 'a.current_version')
						.executeTakeFirstOrThrow()
				]);
				const issued = await issueCertificate(trx, {
					municipality: municipality as Municipality,
					subject,
					payload: JSON.parse(version.payload),
					applicationId: document.application_id,
					issuedBy: staff.id,
					approvedBy: null,
					supersedes: document.id,
					settings: { origin: config().origin, sealing: config().documentKey },
					actor: actorOf(staffCaller(event.locals)),
					context: event.locals.audit,
					now: new Date()
				});
				return issued.id;
			});
	} catch (failure) {
		if (failure instanceof SigningKeyError) {
			return fail(503, { form: 'reissue', message: m.case_signing_key_missing() });
		}
		if (failure instanceof CertificateContentError) {
			// A correction since voided or unchecked the doses: nothing to certify as it stands.
			return fail(400, {
				form: 'reissue',
				message: failure.text
			});
		}
		if (failure instanceof Error && /only a valid document/.test(failure.message)) {
			return fail(409, { form: 'reissue', message: m.document_revoke_not_valid() });
		}
		throw failure;
	}
	redirect(303, `/staff/documents/${issuedId}?done=reissued`);
}
