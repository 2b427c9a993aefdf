// Applications against a real PostgreSQL, with the portal's and the back office's own roles:
// attachments cleaned and limited, the 個人番号 intake box the portal can write but never read,
// one draft per start key, and drafts that expire.
import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { PDFDocument, PDFName, PDFString } from 'pdf-lib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import {
	addAttachment,
	AttachmentError,
	attachmentsOf,
	cleanFile,
	maxAttachmentsPerApplication,
	removeAttachment
} from '../../src/lib/server/applications/attachments';
import {
	createDraft,
	expireDrafts,
	ownApplication,
	ownDraftRows,
	type Application
} from '../../src/lib/server/applications/store';
import { ensureResidentAccount } from '../../src/lib/server/auth/credentials';
import { myNumberCheckDigit } from '../../src/lib/server/mynumber/check-digit';
import { intakePublicKey, openIntake, sealIntake } from '../../src/lib/server/mynumber/intake';
import { freshDatabase, type TestDatabase } from '../support/database';
import { insertTestMunicipality, insertTestResident } from '../support/fixtures';

const city = '139998';
let database: TestDatabase;
let accountId: string;

beforeAll(async () => {
	database = await freshDatabase();
	await insertTestMunicipality(database.owner, city);
	await insertTestResident(database.owner, city, '401');
	accountId = (
		await ensureResidentAccount(database.portal, {
			municipalityCode: city,
			atenaNumber: '401',
			now: new Date()
		})
	).id;
});
afterAll(() => database.close());

const draft = (kind: Application['kind'] = 'certificate') =>
	createDraft(database.portal, { municipalityCode: city, accountId, kind, now: new Date() });

async function photoWithGps(): Promise<Buffer> {
	return sharp({ create: { width: 32, height: 24, channels: 3, background: '#c00' } })
		.jpeg()
		.withExif({ IFD0: { Make: 'Phone', Copyright: 'secret place' } })
		.toBuffer();
}

describe('a guardian’s applications for a child (issue 24, item 5)', () => {
	it('are gone from the portal once a DV 支援措置 is recorded or the child turns 18', async () => {
		await insertTestResident(database.owner, city, '402', '2015-05-01');
		await sql`INSERT INTO guardianship (municipality_code, guardian_atena_number, child_atena_number, source,
			valid_from, valid_until) VALUES (${city}, '401', '402', 'household', '2015-05-01', '2033-04-30')`.execute(
			database.owner
		);
		const forChild = await draft();
		await database.owner
			.updateTable('application')
			.set({ subject_atena_number: '402' })
			.where('id', '=', forChild.id)
			.execute();
		const own = await draft();
		await database.owner
			.updateTable('application')
			.set({ subject_atena_number: '401' })
			.where('id', '=', own.id)
			.execute();
		const account = { id: accountId, municipalityCode: city, atenaNumber: '401' };
		const now = new Date('2026-12-06T03:00:00Z');
		const visible = async (at = now) => ({
			one: (await ownApplication(database.portal, account, forChild.id, at))?.id ?? null,
			list: (await ownDraftRows(database.portal, account, at)).map((row) => row.id)
		});
		expect(await visible()).toEqual({
			one: forChild.id,
			list: expect.arrayContaining([forChild.id, own.id])
		});

		await sql`UPDATE guardianship SET suppressed_for_dv = true WHERE child_atena_number = '402'`.execute(
			database.owner
		);
		const cut = await visible();
		expect(cut.one).toBeNull();
		expect(cut.list).not.toContain(forChild.id);
		expect(cut.list).toContain(own.id);
		expect((await ownApplication(database.portal, account, own.id, now))?.id).toBe(own.id);

		await sql`UPDATE guardianship SET suppressed_for_dv = false WHERE child_atena_number = '402'`.execute(
			database.owner
		);
		expect((await visible()).one).toBe(forChild.id);
		// The day the child turns 18, the guardianship has ended (valid_until is the day before).
		const eighteen = await visible(new Date('2033-05-01T03:00:00Z'));
		expect(eighteen.one).toBeNull();
		expect(eighteen.list).not.toContain(forChild.id);
	});
});

describe('attachments', () => {
	it('are typed by content, re-encoded without EXIF, and PDFs lose their metadata', async () => {
		const jpeg = await photoWithGps();
		expect((await sharp(jpeg).metadata()).exif).toBeDefined();
		const cleaned = await cleanFile(jpeg);
		expect(cleaned.type).toBe('image/jpeg');
		expect((await sharp(cleaned.content).metadata()).exif).toBeUndefined();
		expect(cleaned.content.includes(Buffer.from('secret place'))).toBe(false);

		const png = await sharp(jpeg).png().toBuffer();
		expect((await cleanFile(png)).type).toBe('image/png');

		const document = await PDFDocument.create();
		document.addPage();
		document.setAuthor('Author Name Secret');
		document.setTitle('Diagnosis of someone');
		const pdf = await cleanFile(await document.save());
		expect(pdf.type).toBe('application/pdf');
		const reread = await PDFDocument.load(pdf.content, { updateMetadata: false });
		expect(reread.getAuthor() ?? '').toBe('');
		expect(reread.getTitle() ?? '').toBe('');
		expect(pdf.content.includes(Buffer.from('Author Name Secret'))).toBe(false);
	});

	it('refuses what is not a JPEG, PNG or PDF whatever its name, empty, too large or broken', async () => {
		const refusal = (bytes: Uint8Array) =>
			cleanFile(bytes).then(
				() => null,
				(failure: AttachmentError) => failure.code
			);
		expect(await refusal(Buffer.from('GIF89a...'))).toBe('attachment_type');
		expect(await refusal(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>'))).toBe(
			'attachment_type'
		);
		expect(await refusal(new Uint8Array())).toBe('attachment_empty');
		const large = Buffer.alloc(10 * 1024 * 1024 + 1);
		large.set([0xff, 0xd8, 0xff]);
		expect(await refusal(large)).toBe('attachment_too_large');
		expect(await refusal(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), randomBytes(500)]))).toBe(
			'attachment_unreadable'
		);
		expect(await refusal(Buffer.from('%PDF-1.7\nnot really'))).toBe('attachment_unreadable');
	});

	it('refuses the tricks: a program named .jpg, a decompression bomb, and keeps no script from a polyglot or a PDF action', async () => {
		const refusal = (bytes: Uint8Array) =>
			cleanFile(bytes).then(
				() => null,
				(failure: AttachmentError) => failure.code
			);
		// The type comes from the bytes, never the name: a Windows program is not a photo.
		expect(await refusal(Buffer.concat([Buffer.from('MZ'), randomBytes(200)]))).toBe(
			'attachment_type'
		);
		expect(
			await refusal(Buffer.from('<svg onload="alert(1)" xmlns="http://www.w3.org/2000/svg"/>'))
		).toBe('attachment_type');
		// A 1×1 PNG whose header claims 60,000 × 60,000 pixels (3.6 gigapixels): refused from the
		// header, before anything is decoded.
		const png = await sharp({
			create: { width: 1, height: 1, channels: 3, background: { r: 0, g: 0, b: 0 } }
		})
			.png()
			.toBuffer();
		const bomb = Buffer.from(png);
		bomb.writeUInt32BE(60_000, 16);
		bomb.writeUInt32BE(60_000, 20);
		bomb.writeUInt32BE(crc32(bomb.subarray(12, 29)) >>> 0, 29);
		expect(await refusal(bomb)).toBe('attachment_unreadable');
		// A PDF that is also an HTML page, and one that runs JavaScript when opened: kept as a
		// PDF, without the page or the script.
		const document = await PDFDocument.create();
		document.addPage();
		const script = document.context.obj({
			Type: 'Action',
			S: 'JavaScript',
			JS: PDFString.of('app.alert(1)')
		});
		document.catalog.set(PDFName.of('OpenAction'), script);
		const polyglot = Buffer.concat([
			Buffer.from(await document.save({ useObjectStreams: false })),
			Buffer.from('<html><script>alert(document.cookie)</script></html>')
		]);
		const cleaned = await cleanFile(polyglot);
		expect(cleaned.type).toBe('application/pdf');
		expect(cleaned.content.includes(Buffer.from('<script>'))).toBe(false);
		expect(cleaned.content.includes(Buffer.from('app.alert'))).toBe(false);
		expect(cleaned.content.includes(Buffer.from('/JavaScript'))).toBe(false);
	});

	it('keeps at most 20 per application even when uploads race, and a repeat only once', async () => {
		const application = await draft();
		const now = new Date();
		const images = await Promise.all(
			Array.from({ length: maxAttachmentsPerApplication + 5 }, (_, i) =>
				sharp({ create: { width: 8, height: 8, channels: 3, background: { r: i, g: 0, b: 0 } } })
					.png()
					.toBuffer()
			)
		);
		const results = await Promise.allSettled(
			images.map((bytes, i) =>
				addAttachment(database.portal, application, {
					purpose: 'boshi_techo',
					fileName: `page-${i}.png`,
					bytes,
					now
				})
			)
		);
		expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(20);
		expect(
			results
				.filter((result) => result.status === 'rejected')
				.map((result) => (result as PromiseRejectedResult).reason.code)
		).toEqual(Array(5).fill('attachment_too_many'));
		expect(await attachmentsOf(database.portal, application.id)).toHaveLength(20);

		const other = await draft();
		const first = await addAttachment(database.portal, other, {
			purpose: 'boshi_techo',
			fileName: '../../etc/passwd\u202e.png',
			bytes: images[0]!,
			now
		});
		const again = await addAttachment(database.portal, other, {
			purpose: 'boshi_techo',
			fileName: 'again.png',
			bytes: images[0]!,
			now
		});
		expect(again.id).toBe(first.id);
		expect(first.fileName).toBe('passwd.png');
		// Another application's id removes nothing.
		expect(await removeAttachment(database.portal, application, first.id)).toBe(false);
		expect(await removeAttachment(database.portal, other, first.id)).toBe(true);
	});
});

describe('個人番号 intake', () => {
	const master = { id: 'k1', key: randomBytes(32) };
	const number = (first11: string) => `${first11}${myNumberCheckDigit(first11)}`;
	const put = (db: TestDatabase['portal'], applicationId: string, value: string) => {
		const sealed = sealIntake(intakePublicKey(master), applicationId, value);
		return sql<{ stored: boolean | null }>`SELECT put_mynumber_intake(${applicationId}::uuid,
			${sealed.keyId}, ${sealed.ephemeralPublicKey}, ${sealed.nonce}, ${sealed.ciphertext},
			${sealed.authTag}) AS stored`.execute(db);
	};

	it('lets the portal put a sealed number for its relief draft, never read it back', async () => {
		const application = await draft('relief');
		const value = number('12345678901');
		expect((await put(database.portal, application.id, value)).rows[0]!.stored).toBe(true);
		// Typed again: replaced, still one row.
		const replacement = number('23456789012');
		expect((await put(database.portal, application.id, replacement)).rows[0]!.stored).toBe(true);
		await expect(
			sql`SELECT * FROM mynumber.application_intake`.execute(database.portal)
		).rejects.toThrow(/permission denied/);
		const rows = await sql<{
			key_id: string;
			ephemeral_public_key: Buffer;
			nonce: Buffer;
			ciphertext: Buffer;
			auth_tag: Buffer;
		}>`SELECT * FROM mynumber.application_intake WHERE application_id = ${application.id}`.execute(
			database.backoffice
		);
		expect(rows.rows).toHaveLength(1);
		const row = rows.rows[0]!;
		expect(
			openIntake([master], application.id, {
				keyId: row.key_id,
				ephemeralPublicKey: row.ephemeral_public_key,
				nonce: row.nonce,
				ciphertext: row.ciphertext,
				authTag: row.auth_tag
			})
		).toBe(replacement);
	});

	it('takes nothing for another kind of application or once submitted', async () => {
		const notRelief = await draft('certificate');
		expect((await put(database.portal, notRelief.id, number('34567890123'))).rows[0]!.stored).toBe(
			null
		);
		const submitted = await draft('relief');
		await database.owner
			.updateTable('application')
			.set({ status: 'withdrawn', stage: 'withdrawn' })
			.where('id', '=', submitted.id)
			.execute();
		expect((await put(database.portal, submitted.id, number('45678901234'))).rows[0]!.stored).toBe(
			null
		);
	});
});

describe('starting a request', () => {
	it('opens one draft for the same start key, however often it arrives', async () => {
		const startKey = crypto.randomUUID();
		const start = () =>
			createDraft(database.portal, {
				municipalityCode: city,
				accountId,
				kind: 'reissue',
				startKey,
				now: new Date()
			});
		const drafts = await Promise.all([start(), start(), start()]);
		expect(new Set(drafts.map((draft) => draft.id)).size).toBe(1);
		const other = await createDraft(database.portal, {
			municipalityCode: city,
			accountId,
			kind: 'reissue',
			startKey: crypto.randomUUID(),
			now: new Date()
		});
		expect(other.id).not.toBe(drafts[0]!.id);
	});
});

describe('draft expiry', () => {
	it('deletes drafts untouched for 30 days with their files, tells the applicant, keeps the rest', async () => {
		const old = await draft();
		const recent = await draft();
		await addAttachment(database.portal, old, {
			purpose: 'boshi_techo',
			fileName: 'p.png',
			bytes: await sharp({ create: { width: 4, height: 4, channels: 3, background: '#fff' } })
				.png()
				.toBuffer(),
			now: new Date()
		});
		const now = new Date();
		await database.owner
			.updateTable('application')
			.set({ updated_at: new Date(now.getTime() - 31 * 86_400_000) })
			.where('id', '=', old.id)
			.execute();
		const before = await database.owner
			.selectFrom('resident_notice')
			.select('id')
			.where('kind', '=', 'draft_expired')
			.execute();
		expect(await expireDrafts(database.portal, { now })).toBeGreaterThanOrEqual(1);
		const left = await database.owner
			.selectFrom('application')
			.select('id')
			.where('id', 'in', [old.id, recent.id])
			.execute();
		expect(left.map((row) => row.id)).toEqual([recent.id]);
		expect(
			await database.owner
				.selectFrom('attachment')
				.select('id')
				.where('application_id', '=', old.id)
				.execute()
		).toHaveLength(0);
		const after = await database.owner
			.selectFrom('resident_notice')
			.select('id')
			.where('kind', '=', 'draft_expired')
			.execute();
		expect(after.length).toBe(before.length + 1);
		// Run again: nothing more to delete, no second notice.
		expect(await expireDrafts(database.portal, { now })).toBe(0);
	});
});
