// Certificates as their public verify pages show them, published to the portal zone (issue 27,
// topic 'verification', zone/shapes.ts `verificationView`; migration 0052 marks a certificate
// when it is issued and when its status changes), and the look-ups the portal reports, audited
// here as they were when the page read this database.
import type { AuditContext, AuditEvent } from '../audit/record';
import type { Executor } from '../db';
import type { SigningKeysView, VerificationView, VerifyLookupItemBody } from '../zone/shapes';
import type { VerifySummary } from './registry';

/** The views of the certificates with these ids (one with none: null, taken off the portal). */
export async function verificationViews(
	db: Executor,
	ids: readonly string[]
): Promise<Map<string, VerificationView | null>> {
	const views = new Map<string, VerificationView | null>(ids.map((id) => [id, null]));
	const uuids = ids.filter((id) => /^[0-9a-f-]{36}$/.test(id));
	if (uuids.length === 0) return views;
	const rows = await db
		.selectFrom('issued_document')
		.select([
			'id',
			'municipality_code',
			'verify_code',
			'verify_id',
			'status',
			'status_changed_at',
			'document_number',
			'verify_summary',
			'health_cards'
		])
		.where('id', 'in', uuids)
		.where('verify_summary', 'is not', null)
		.execute();
	for (const row of rows)
		views.set(row.id, {
			municipalityCode: row.municipality_code,
			code: row.verify_code,
			verifyId: row.verify_id,
			status: row.status as VerificationView['status'],
			statusChangedAt: row.status_changed_at?.toISOString() ?? null,
			documentNumber: row.document_number,
			summary: row.verify_summary as VerifySummary,
			healthCards: row.health_cards ?? []
		});
	return views;
}

/** A city's public signing keys, newest first (retired ones too: older certificates verify). */
export async function signingKeysViewOf(db: Executor, code: string): Promise<SigningKeysView> {
	const rows = await db
		.selectFrom('document_signing_key')
		.select('public_jwk')
		.where('municipality_code', '=', code)
		.orderBy('created_at', 'desc')
		.execute();
	return { keys: rows.map((row) => row.public_jwk as Record<string, string>) };
}

/**
 * A look-up the portal reports, as the audit entry it was when the page read this database: by an
 * anonymous verifier, about the certificate's subject, ok when found, denied when not (what was
 * asked, digit runs masked, as the object). Null: the portal names a certificate this side does
 * not have (a compromised portal's word; refused by the intake).
 */
export async function verifyLookupAudit(
	db: Executor,
	body: VerifyLookupItemBody,
	input: { context: AuditContext | undefined; fallbackMunicipality: string; portalSeq: string }
): Promise<AuditEvent | null> {
	const row = body.document
		? await db
				.selectFrom('issued_document')
				.select(['id', 'municipality_code', 'subject_atena_number', 'status'])
				.where('id', '=', body.document)
				.where('verify_summary', 'is not', null)
				.executeTakeFirst()
		: undefined;
	if (body.document && !row) return null;
	return {
		municipalityCode: row?.municipality_code ?? input.fallbackMunicipality,
		actor: { type: 'anonymous', id: 'anonymous', role: 'anonymous' },
		context: input.context,
		action: 'document.verify',
		subjectAtenaNumber: row?.subject_atena_number,
		objectType: 'issued_document',
		objectId: row?.id ?? body.asked.replace(/[0-9]{6,}/g, '…').slice(0, 64),
		result: row ? 'ok' : 'denied',
		payload: {
			...(row ? { status: row.status } : {}),
			...(body.file ? { file: true } : {}),
			portalSeq: input.portalSeq
		}
	};
}
