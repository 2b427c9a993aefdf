// Rendering a mailing batch, part by part, so that it can be stopped (or killed) at any moment
// and resumed without duplicating or losing a letter: a worker claims the next unrendered part
// under a row lock (SKIP LOCKED: several workers share a batch), renders its letters — and the
// 予診票 when the batch includes them — into one PDF, and stores the PDF with each person's page
// range in the same transaction. A killed worker's transaction rolls back; its part is simply
// still unrendered. When no part is left, the parts are merged once into the print file.
import { sql } from 'kysely';
import { PDFDocument } from 'pdf-lib';
import type { Database, Executor } from '../db';
import { recordAudit } from '../audit/record';
import { Layout } from '../documents/layout';
import {
	drawReminderLetter,
	reminderLetterTitle,
	type ReminderLetter
} from '../documents/reminder-letter';
import { drawYoshinhyo, yoshinhyoHeader } from '../documents/yoshinhyo';
import type { Municipality } from '../municipality';
import { activeCatalogue } from '../vaccinations/active-catalogue';
import { config } from '../config';
import { addDuration } from '../time';
import { sameCity } from '../db/same-city';

type StoredDose = ReminderLetter['doses'][number] & { vaccine: string; dose: string };
type Names = Map<string, { vaccineJa: string; vaccineEn: string; doseJa: string; doseEn: string }>;

async function catalogueNames(db: Executor, municipalityCode: string): Promise<Names> {
	const catalogue = await activeCatalogue(db, municipalityCode);
	return new Map(
		catalogue.map((row) => [
			`${row.vaccine_code}:${row.dose_code}`,
			{ vaccineJa: row.name_ja, vaccineEn: row.name_en, doseJa: row.label_ja, doseEn: row.label_en }
		])
	);
}

export type PartOutcome = 'rendered' | 'none' | 'stopped';

/** Renders one unrendered part of the batch, if any is left and the batch still runs. */
export async function renderNextPart(
	db: Database,
	batchId: string,
	portalUrl: string
): Promise<PartOutcome> {
	return db.transaction().execute(async (trx) => {
		const batch = await trx
			.selectFrom('mailing_batch')
			.innerJoin(
				'municipality',
				'municipality.municipality_code',
				'mailing_batch.municipality_code'
			)
			.selectAll('municipality')
			.select([
				'mailing_batch.status',
				'mailing_batch.kind',
				'mailing_batch.as_of',
				'mailing_batch.with_questionnaires'
			])
			.where('mailing_batch.id', '=', batchId)
			.executeTakeFirst();
		if (!batch || batch.status !== 'rendering') return 'stopped';
		const part = await trx
			.selectFrom('mailing_part')
			.select(['part_no'])
			.where('batch_id', '=', batchId)
			.where('rendered_at', 'is', null)
			.orderBy('part_no')
			.limit(1)
			.forUpdate()
			.skipLocked()
			.executeTakeFirst();
		if (!part) return 'none';
		const recipients = await trx
			.selectFrom('mailing_recipient')
			.innerJoin('resident', (join) =>
				sameCity(join, ['resident.atena_number', 'mailing_recipient.atena_number'])
			)
			.select([
				'mailing_recipient.seq',
				'mailing_recipient.document_number',
				'mailing_recipient.doses',
				'resident.name_kanji',
				'resident.name_kana',
				'resident.birth_date',
				'resident.sex',
				'resident.postal_code',
				'resident.address',
				'resident.status'
			])
			.where('mailing_recipient.batch_id', '=', batchId)
			.where('mailing_recipient.part_no', '=', part.part_no)
			.orderBy('mailing_recipient.seq')
			.execute();
		const names = await catalogueNames(trx, batch.municipality_code);
		const municipality = batch as unknown as Municipality;
		const kind = batch.kind as ReminderLetter['kind'];

		let layout: Layout | null = null;
		const placed: { seq: number; firstPage: number; pages: number }[] = [];
		for (const recipient of recipients) {
			// Someone who left the register after the batch was made gets no letter (their old
			// address is someone else's now); the record says so with zero pages.
			if (recipient.status !== 'resident') {
				placed.push({ seq: recipient.seq, firstPage: 0, pages: 0 });
				continue;
			}
			const doses = (recipient.doses as StoredDose[]).map((dose) => {
				const name = names.get(`${dose.vaccine}:${dose.dose}`);
				return {
					...dose,
					vaccineJa: name?.vaccineJa ?? dose.vaccine,
					vaccineEn: name?.vaccineEn ?? dose.vaccine,
					doseJa: name?.doseJa ?? dose.dose,
					doseEn: name?.doseEn ?? dose.dose
				};
			});
			const header = `${municipality.name_ja} ${reminderLetterTitle(kind)}`;
			if (!layout) {
				layout = await Layout.create({
					title: `${reminderLetterTitle(kind)} / Vaccination reminder`,
					author: `${municipality.name_ja} ${municipality.division_ja}`,
					subject: 'mailing',
					language: 'ja',
					documentNumber: recipient.document_number,
					header
				});
			} else {
				layout.startDocument(recipient.document_number, header);
			}
			const firstPage = layout.pages.length;
			drawReminderLetter(layout, {
				municipality,
				documentNumber: recipient.document_number,
				issuedOn: batch.as_of,
				kind,
				person: {
					nameKanji: recipient.name_kanji,
					postalCode: recipient.postal_code,
					address: recipient.address,
					child: addDuration(recipient.birth_date, 'P18Y') > batch.as_of
				},
				doses,
				withQuestionnaires: batch.with_questionnaires,
				portalUrl
			});
			if (batch.with_questionnaires) {
				for (const [index, dose] of doses.entries()) {
					const content = {
						municipality,
						documentNumber: `${recipient.document_number}-Y${index + 1}`,
						issuedOn: batch.as_of,
						person: {
							nameKanji: recipient.name_kanji,
							nameKana: recipient.name_kana,
							birthDate: recipient.birth_date,
							sex: recipient.sex as 'male' | 'female',
							postalCode: recipient.postal_code,
							address: recipient.address
						},
						guardianName: null,
						vaccine: { nameJa: dose.vaccineJa, doseJa: dose.doseJa },
						reissue: false
					};
					layout.startDocument(content.documentNumber, yoshinhyoHeader(content));
					drawYoshinhyo(layout, content);
				}
			}
			placed.push({ seq: recipient.seq, firstPage, pages: layout.pages.length - firstPage + 1 });
		}
		const pdf = layout ? await layout.save() : new Uint8Array();
		const pages = layout?.pages.length ?? 0;
		await trx
			.updateTable('mailing_part')
			.set({ pdf: Buffer.from(pdf), pages, rendered_at: new Date() })
			.where('batch_id', '=', batchId)
			.where('part_no', '=', part.part_no)
			.execute();
		await sql`UPDATE mailing_recipient AS r SET first_page = (p->>1)::int, pages = (p->>2)::int
			FROM jsonb_array_elements(${JSON.stringify(placed.map((place) => [place.seq, place.firstPage, place.pages]))}::jsonb) AS p
			WHERE r.batch_id = ${batchId}::uuid AND r.seq = (p->>0)::int`.execute(trx);
		return 'rendered';
	});
}

/**
 * Merges the parts into the print file, once: the batch row is locked for the merge and the
 * file, its page count and the status are written together.
 */
export async function finishBatch(db: Database, batchId: string): Promise<boolean> {
	return db.transaction().execute(async (trx) => {
		const batch = await trx
			.selectFrom('mailing_batch')
			.select(['municipality_code', 'recipients', 'status'])
			.where('id', '=', batchId)
			.where('status', '=', 'rendering')
			.forUpdate()
			.skipLocked()
			.executeTakeFirst();
		if (!batch) return false;
		const pending = await trx
			.selectFrom('mailing_part')
			.select(sql<number>`count(*)::int`.as('count'))
			.where('batch_id', '=', batchId)
			.where('rendered_at', 'is', null)
			.executeTakeFirstOrThrow();
		if (pending.count > 0) return false;
		const merged = await PDFDocument.create();
		merged.setTitle('予防接種のお知らせ（印刷用） / Vaccination mailing print file');
		merged.setProducer('vaccination-affairs-portal (pdf-lib)');
		merged.setLanguage('ja-JP');
		const parts = await trx
			.selectFrom('mailing_part')
			.select(['part_no', 'pages'])
			.where('batch_id', '=', batchId)
			.orderBy('part_no')
			.execute();
		for (const { part_no, pages } of parts) {
			if (!pages) continue;
			// One part's bytes at a time: the print file grows, the parts are not all held at once.
			const { pdf } = await trx
				.selectFrom('mailing_part')
				.select('pdf')
				.where('batch_id', '=', batchId)
				.where('part_no', '=', part_no)
				.executeTakeFirstOrThrow();
			const source = await PDFDocument.load(pdf!);
			const copied = await merged.copyPages(source, source.getPageIndices());
			for (const page of copied) merged.addPage(page);
		}
		const bytes = await merged.save({ useObjectStreams: true });
		const printPages = merged.getPageCount();
		await trx
			.updateTable('mailing_batch')
			.set({
				status: 'rendered',
				rendered_at: new Date(),
				print_file: Buffer.from(bytes),
				print_pages: printPages
			})
			.where('id', '=', batchId)
			.execute();
		await recordAudit(trx, {
			municipalityCode: batch.municipality_code,
			actor: { type: 'system', id: 'mailing', role: 'system' },
			action: 'mailing.render',
			objectType: 'mailing_batch',
			objectId: batchId,
			result: 'ok',
			payload: { recipients: batch.recipients, pages: printPages, bytes: bytes.length }
		});
		return true;
	});
}

/** Renders what is left of a batch, then merges it. Safe to run in several workers at once. */
export async function runMailingBatch(
	db: Database,
	batchId: string,
	options: { portalUrl?: string; onPart?: () => void; signal?: AbortSignal } = {}
): Promise<'rendered' | 'stopped' | 'waiting'> {
	const portalUrl = options.portalUrl ?? `${config().origin}/`;
	for (;;) {
		if (options.signal?.aborted) return 'stopped';
		const outcome = await renderNextPart(db, batchId, portalUrl);
		if (outcome === 'stopped') return 'stopped';
		if (outcome === 'none') break;
		options.onPart?.();
	}
	// Another worker may still hold the last part; it merges when it finishes.
	return (await finishBatch(db, batchId)) ? 'rendered' : 'waiting';
}

/** One person's letters, cut from their part (a reprint for a returned envelope). */
export async function recipientLetters(
	db: Executor,
	municipalityCode: string,
	batchId: string,
	seq: number
): Promise<Uint8Array | null> {
	const row = await db
		.selectFrom('mailing_recipient')
		.innerJoin('mailing_part', (join) =>
			join
				.onRef('mailing_part.batch_id', '=', 'mailing_recipient.batch_id')
				.onRef('mailing_part.part_no', '=', 'mailing_recipient.part_no')
		)
		.select(['mailing_part.pdf', 'mailing_recipient.first_page', 'mailing_recipient.pages'])
		.where('mailing_recipient.municipality_code', '=', municipalityCode)
		.where('mailing_recipient.batch_id', '=', batchId)
		.where('mailing_recipient.seq', '=', seq)
		.executeTakeFirst();
	if (!row?.pdf || !row.first_page || !row.pages) return null;
	const source = await PDFDocument.load(row.pdf);
	const letters = await PDFDocument.create();
	const indices = Array.from({ length: row.pages }, (_, index) => row.first_page! - 1 + index);
	for (const page of await letters.copyPages(source, indices)) letters.addPage(page);
	return letters.save();
}
