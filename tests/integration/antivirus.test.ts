// Uploads against a real ClamAV daemon (scripts/lib/clamd.ts): the EICAR test string is caught
// in a PDF that re-encoding alone would keep and across the stream's chunk boundaries, and
// nothing is stored; a scanner that is down or refuses the stream fails the upload closed.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
	clamdAddress,
	scanWithClamd,
	ScannerUnavailable,
	type Scanner
} from '../../src/lib/server/applications/antivirus';
import {
	addAttachment,
	AttachmentError,
	attachmentsOf,
	cleanFile
} from '../../src/lib/server/applications/attachments';
import { createDraft } from '../../src/lib/server/applications/store';
import { ensureResidentAccount } from '../../src/lib/server/auth/credentials';
import {
	eicar,
	eicarSignature,
	pdfCarrying,
	startClamd,
	type Clamd
} from '../../scripts/lib/clamd';
import { freshDatabase, type TestDatabase } from '../support/database';
import { insertTestMunicipality, insertTestResident } from '../support/fixtures';

const city = '139998';
let clamd: Clamd;
let scan: Scanner;
let database: TestDatabase;

beforeAll(async () => {
	clamd = await startClamd(mkdtempSync(path.join(os.tmpdir(), 'clamd-')));
	const address = clamdAddress(clamd.socket);
	scan = (bytes) => scanWithClamd(address, bytes);
	database = await freshDatabase();
	await insertTestMunicipality(database.owner, city);
	await insertTestResident(database.owner, city, '501');
});
afterAll(async () => {
	await database?.close();
	await clamd?.stop();
});

const contains = (bytes: Uint8Array, text: string) => Buffer.from(bytes).includes(text);

describe('uploads scanned by clamd', () => {
	it('lets a clean PDF through and catches the test string in one that cleaning would keep', async () => {
		const clean = await pdfCarrying('nothing to see');
		expect(await scanWithClamd(clamdAddress(clamd.socket), clean)).toEqual({ infected: false });
		expect((await cleanFile(clean, scan)).type).toBe('application/pdf');

		const infected = await pdfCarrying(eicar);
		// Re-encoding keeps page content streams: without the scanner the string would be stored.
		expect(contains((await cleanFile(infected)).content, eicar)).toBe(true);
		const refusal = await cleanFile(infected, scan).then(
			() => null,
			(failure: unknown) => failure
		);
		expect(refusal).toBeInstanceOf(AttachmentError);
		expect((refusal as AttachmentError).code).toBe('attachment_infected');
		expect((refusal as AttachmentError).detail).toMatch(new RegExp(`^${eicarSignature}`));
	});

	it('finds the string where it straddles two of the chunks the file is streamed in', async () => {
		const bytes = Buffer.alloc(200_000, 0x20);
		bytes.write(eicar, 64 * 1024 - 30, 'latin1');
		const verdict = await scan(bytes);
		expect(verdict.infected).toBe(true);
		expect(await scan(Buffer.alloc(200_000, 0x20))).toEqual({ infected: false });
	});

	it('stores nothing when the file is infected', async () => {
		const account = await ensureResidentAccount(database.portal, {
			municipalityCode: city,
			atenaNumber: '501',
			now: new Date()
		});
		const application = await createDraft(database.portal, {
			municipalityCode: city,
			accountId: account.id,
			kind: 'relief',
			now: new Date()
		});
		const input = { purpose: 'receipt', fileName: 'receipt.pdf', now: new Date(), scan };
		await expect(
			addAttachment(database.portal, application, { ...input, bytes: await pdfCarrying(eicar) })
		).rejects.toMatchObject({ code: 'attachment_infected' });
		expect(await attachmentsOf(database.portal, application.id)).toEqual([]);
		await addAttachment(database.portal, application, {
			...input,
			bytes: await pdfCarrying('a receipt')
		});
		expect(await attachmentsOf(database.portal, application.id)).toHaveLength(1);
	});

	it('fails closed when clamd is down, absent, or refuses the stream', async () => {
		const stopped = await startClamd(mkdtempSync(path.join(os.tmpdir(), 'clamd-')));
		await stopped.stop();
		const clean = await pdfCarrying('fine');
		for (const socket of [stopped.socket, '/nonexistent/clamd.sock']) {
			const address = clamdAddress(socket);
			await expect(
				cleanFile(clean, (bytes) => scanWithClamd(address, bytes))
			).rejects.toMatchObject({ code: 'attachment_scan_unavailable' });
		}
		// clamd answers "size limit exceeded" and hangs up mid-stream. Whether its answer or the
		// reset arrives first depends on timing (a reset discards unread data): either way, the
		// upload is refused as "scanner unavailable", never let through.
		const small = await startClamd(mkdtempSync(path.join(os.tmpdir(), 'clamd-')), {
			streamMaxBytes: 1024
		});
		try {
			await expect(
				scanWithClamd(clamdAddress(small.socket), Buffer.alloc(512 * 1024, 0x20))
			).rejects.toThrow(ScannerUnavailable);
		} finally {
			await small.stop();
		}
	});
});
