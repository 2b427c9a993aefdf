// Evidence residents attach to an application (photos of 母子健康手帳 pages, 診断書, receipts …).
// What a file is, is decided by its bytes, never by its name or the browser's type. Images are
// decoded and encoded again, which drops EXIF (GPS position, device) and anything hidden after
// the image data; PDFs are parsed and saved again without document metadata, scripts or
// embedded files. Files live in PostgreSQL and are served only to their applicant (and staff)
// by an unguessable id.
import { createHash } from 'node:crypto';
import { PDFDocument, PDFName } from 'pdf-lib';
import { sql } from 'kysely';
import sharp from 'sharp';
import type { Executor } from '../db';
import { ScannerUnavailable, type Scanner } from './antivirus';
import type { Application } from './store';
import { isUuid } from '../ids';

export const maxAttachmentBytes = 10 * 1024 * 1024;
export const maxAttachmentsPerApplication = 20;
const maxImagePixels = 50_000_000; // a 50-megapixel photo; refuses decompression bombs

export type AttachmentType = 'image/jpeg' | 'image/png' | 'application/pdf';
export type AttachmentSummary = {
	id: string;
	purpose: string;
	fileName: string;
	contentType: AttachmentType;
	sizeBytes: number;
	sha256: string;
	createdAt: Date;
};

export type AttachmentRefusal =
	| 'attachment_empty'
	| 'attachment_too_large'
	| 'attachment_type'
	| 'attachment_unreadable'
	| 'attachment_too_many'
	| 'attachment_infected'
	| 'attachment_scan_unavailable';

export class AttachmentError extends Error {
	override name = 'AttachmentError';
	constructor(
		readonly code: AttachmentRefusal,
		/** What the virus scanner found, or why it could not answer. */
		readonly detail?: string
	) {
		super(code);
	}
}

/** The file's real type from its first bytes, or null when it is none we accept. */
export function sniffType(bytes: Uint8Array): AttachmentType | null {
	const starts = (...signature: number[]) => signature.every((byte, i) => bytes[i] === byte);
	if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
	if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
	if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return 'application/pdf'; // %PDF-
	return null;
}

/** A file name safe to store and to put in a header: no path, no control characters. */
export function safeFileName(name: string, type: AttachmentType): string {
	const base = (name.split(/[\\/]/).pop() ?? '')
		.normalize('NFC')
		.replace(/[\p{Cc}\p{Cf}"<>|:*?]/gu, '')
		.trim()
		.slice(0, 80);
	const extension = { 'image/jpeg': '.jpg', 'image/png': '.png', 'application/pdf': '.pdf' }[type];
	const stem = base.replace(/\.[^.]*$/, '') || 'file';
	return `${stem}${extension}`;
}

/**
 * The file as we keep it: scanned as it arrived (when a scanner is configured), then decoded and
 * written again, without metadata.
 */
export async function cleanFile(
	bytes: Uint8Array,
	scan?: Scanner
): Promise<{ type: AttachmentType; content: Buffer }> {
	if (bytes.length === 0) throw new AttachmentError('attachment_empty');
	if (bytes.length > maxAttachmentBytes) throw new AttachmentError('attachment_too_large');
	const type = sniffType(bytes);
	if (!type) throw new AttachmentError('attachment_type');
	if (scan) {
		// Fails closed: a file the scanner could not look at is not kept.
		const verdict = await scan(bytes).catch((failure: unknown) => {
			if (failure instanceof ScannerUnavailable) {
				throw new AttachmentError('attachment_scan_unavailable', failure.message);
			}
			throw failure;
		});
		if (verdict.infected) throw new AttachmentError('attachment_infected', verdict.signature);
	}
	try {
		if (type === 'application/pdf') return { type, content: await cleanPdf(bytes) };
		// rotate() applies the EXIF orientation before the EXIF goes, so photos stay upright.
		const image = sharp(bytes, { failOn: 'error', limitInputPixels: maxImagePixels }).rotate();
		const content =
			type === 'image/jpeg'
				? await image.jpeg({ quality: 85, mozjpeg: true }).toBuffer()
				: await image.png({ compressionLevel: 9 }).toBuffer();
		if (content.length > maxAttachmentBytes) throw new AttachmentError('attachment_too_large');
		return { type, content };
	} catch (failure) {
		if (failure instanceof AttachmentError) throw failure;
		throw new AttachmentError('attachment_unreadable');
	}
}

async function cleanPdf(bytes: Uint8Array): Promise<Buffer> {
	// An encrypted PDF cannot be checked or cleaned: refused (load throws without ignoreEncryption).
	const document = await PDFDocument.load(bytes, { updateMetadata: false });
	for (const key of ['Metadata', 'OpenAction', 'AA', 'Names', 'AcroForm']) {
		document.catalog.delete(PDFName.of(key));
	}
	for (const page of document.getPages()) page.node.delete(PDFName.of('AA'));
	document.setTitle('');
	document.setAuthor('');
	document.setSubject('');
	document.setKeywords([]);
	document.setCreator('');
	document.setProducer('');
	return Buffer.from(await document.save({ updateFieldAppearances: false }));
}

/** Stores a cleaned file; the per-application limit holds under concurrent uploads. */
export async function addAttachment(
	db: Executor,
	application: Pick<Application, 'id'>,
	input: { purpose: string; fileName: string; bytes: Uint8Array; now: Date; scan?: Scanner }
): Promise<AttachmentSummary> {
	const { type, content } = await cleanFile(input.bytes, input.scan);
	const run = async (trx: Executor) => {
		const editable = await trx
			.selectFrom('application')
			.select('id')
			.where('id', '=', application.id)
			.where('status', 'in', ['draft', 'returned'])
			.forUpdate()
			.executeTakeFirst();
		if (!editable) return null;
		const { count } = await trx
			.selectFrom('attachment')
			.select((eb) => eb.fn.countAll<string>().as('count'))
			.where('application_id', '=', application.id)
			.executeTakeFirstOrThrow();
		const sha256 = createHash('sha256').update(content).digest();
		// The same file twice (a double tap, a resend after a dropped connection) is kept once.
		const same = await trx
			.selectFrom('attachment')
			.select(['id', 'purpose', 'file_name', 'content_type', 'size_bytes', 'sha256', 'created_at'])
			.where('application_id', '=', application.id)
			.where('sha256', '=', sha256)
			.where('purpose', '=', input.purpose)
			.executeTakeFirst();
		if (same) return same;
		if (Number(count) >= maxAttachmentsPerApplication) {
			throw new AttachmentError('attachment_too_many');
		}
		return trx
			.insertInto('attachment')
			.values({
				application_id: application.id,
				purpose: input.purpose,
				content_type: type,
				file_name: safeFileName(input.fileName, type),
				size_bytes: content.length,
				sha256,
				content,
				created_at: input.now
			})
			.returning([
				'id',
				'purpose',
				'file_name',
				'content_type',
				'size_bytes',
				'sha256',
				'created_at'
			])
			.executeTakeFirstOrThrow();
	};
	const row = await (db.isTransaction ? run(db) : db.transaction().execute(run));
	if (!row) throw new AttachmentError('attachment_unreadable');
	return summary(row);
}

function summary(row: {
	id: string;
	purpose: string;
	file_name: string;
	content_type: string;
	size_bytes: number;
	sha256: Buffer;
	created_at: Date;
}): AttachmentSummary {
	return {
		id: row.id,
		purpose: row.purpose,
		fileName: row.file_name,
		contentType: row.content_type as AttachmentType,
		sizeBytes: row.size_bytes,
		sha256: row.sha256.toString('hex'),
		createdAt: row.created_at
	};
}

export async function attachmentsOf(
	db: Executor,
	applicationId: string
): Promise<AttachmentSummary[]> {
	const rows = await db
		.selectFrom('attachment')
		.select(['id', 'purpose', 'file_name', 'content_type', 'size_bytes', 'sha256', 'created_at'])
		.where('application_id', '=', applicationId)
		.orderBy('created_at')
		.orderBy('id')
		.execute();
	return rows.map(summary);
}

/** One file of this application, or null (another application's id finds nothing). */
export async function attachmentContent(db: Executor, applicationId: string, id: string) {
	if (!isUuid(id)) return null;
	const row = await db
		.selectFrom('attachment')
		.select(['id', 'file_name', 'content_type', 'content'])
		.where('application_id', '=', applicationId)
		.where('id', '=', id)
		.executeTakeFirst();
	return row ?? null;
}

/** Removes a file while the applicant may still edit it; false when nothing was removed. */
export async function removeAttachment(
	db: Executor,
	application: Pick<Application, 'id'>,
	id: string
): Promise<boolean> {
	if (!isUuid(id)) return false;
	const result = await db
		.deleteFrom('attachment')
		.where('application_id', '=', application.id)
		.where('id', '=', id)
		// After a 差し戻し only files added since the last submission can go: the earlier version
		// the resident signed keeps its evidence (ACC-4).
		.where(
			sql<boolean>`exists (select 1 from application a where a.id = ${application.id} and (a.status = 'draft' or (a.status = 'returned' and attachment.created_at > a.submitted_at)))`
		)
		.executeTakeFirst();
	return result.numDeletedRows === 1n;
}
