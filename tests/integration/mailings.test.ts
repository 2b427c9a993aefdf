// 接種勧奨 and yearly mailings against a real database, real PDFs and a real worker process:
// selection by the catalogue, the batch fixed with its recipients, letters and 予診票 rendered
// part by part, the print file read back with pdftotext and checked with qpdf; and a 10,000-person
// batch whose worker is killed (SIGKILL) halfway and restarted, ending with every letter exactly
// once.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/lib/server/audit/verify';
import { startJobs } from '../../src/lib/server/jobs/boss';
import {
	cancelMailing,
	createMailingBatch,
	mailingProgress,
	markMailingSent,
	MailingError,
	previewMailing
} from '../../src/lib/server/mailings/batches';
import { recipientLetters, runMailingBatch } from '../../src/lib/server/mailings/render';
import { mailingCriteria } from '../../src/lib/server/mailings/selection';
import { feedColumns } from '../../src/lib/server/residents/registry-feed';
import { importRegistryFeed } from '../../src/lib/server/residents/registry-import';
import { insertRoutineSchedule } from '../../src/lib/server/vaccinations/catalogue-load';
import { freshDatabase, type TestDatabase } from '../support/database';
import { insertTestMunicipality } from '../support/fixtures';

const city = '139998';
const now = new Date('2026-12-01T09:00:00+09:00');
const staff = { type: 'system', id: 'mailing-test', role: 'system' } as const;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'mailing-test-'));
let database: TestDatabase;

/** Families of a parent and one baby each, registered through the 異動 feed. */
async function registerFamilies(count: number, firstAtena: number, bornFrom: string) {
	const lines = [feedColumns.join(',')];
	const start = new Date(`${bornFrom}T00:00:00Z`).getTime();
	for (let index = 0; index < count; index++) {
		const parent = firstAtena + index * 2;
		const born = new Date(start + (index % 60) * 86_400_000).toISOString().slice(0, 10);
		const household = `H${parent}`;
		const postal = `100-${String(1000 + (index % 50)).padStart(4, '0')}`;
		const address = `テスト市本町${(index % 50) + 1}-${index + 1}`;
		lines.push(
			`move_in,2024-04-01,${parent},${household},1,世帯主,勧奨　親${index},カンショウ　オヤ,,1990-01-01,2,${postal},${address},1,,`,
			`birth,${born},${parent + 1},${household},0,子,勧奨　子${index},カンショウ　コ,,${born},${index % 2 ? 1 : 2},${postal},${address},1,,`
		);
	}
	const report = await importRegistryFeed(database.backoffice, {
		municipalityCode: city,
		fileName: 'families.csv',
		source: Readable.from([Buffer.from(lines.join('\n'))]),
		dryRun: false,
		actor: staff,
		now
	});
	expect(report.errorCount).toBe(0);
}

function pdfText(bytes: Uint8Array, name: string): string {
	const file = path.join(scratch, name);
	writeFileSync(file, bytes);
	execFileSync('qpdf', ['--check', file], { stdio: 'pipe' });
	return execFileSync('pdftotext', ['-layout', file, '-'], { maxBuffer: 1 << 30 }).toString();
}

beforeAll(async () => {
	database = await freshDatabase();
	await insertTestMunicipality(database.owner, city);
	await insertRoutineSchedule(database.owner, city);
});
afterAll(async () => {
	await database?.close();
	rmSync(scratch, { recursive: true, force: true });
});

describe('a mailing with 予診票', () => {
	it('selects by the catalogue, renders letters and forms, and keeps a record per person', async () => {
		await registerFamilies(3, 700000, '2026-10-05');
		const criteria = mailingCriteria.parse({
			kind: 'newborn',
			bornFrom: '2026-10-01',
			bornUntil: '2026-10-31',
			vaccines: ['bcg', 'hepatitis_b'],
			withQuestionnaires: true
		});
		const preview = await previewMailing(database.backoffice, {
			municipalityCode: city,
			criteria,
			actor: staff,
			now
		});
		expect(preview.recipients).toBe(3);
		expect([...preview.byDose.keys()].sort()).toEqual(['bcg:single', 'hepatitis_b:dose_1']);
		expect(preview.byDose.get('bcg:single')).toBe(3);

		const batch = await createMailingBatch(database.backoffice, {
			municipalityCode: city,
			criteria,
			actor: staff,
			now
		});
		expect(batch).toMatchObject({ recipients: 3, parts: 1 });
		expect(
			await runMailingBatch(database.backoffice, batch.id, { portalUrl: 'https://portal.example/' })
		).toBe('rendered');
		const progress = (await mailingProgress(database.backoffice, city, batch.id, now))!;
		expect(progress).toMatchObject({ status: 'rendered', partsDone: 1, recipientsDone: 3 });
		const stored = await database.owner
			.selectFrom('mailing_batch')
			.select(['print_file', 'print_pages'])
			.where('id', '=', batch.id)
			.executeTakeFirstOrThrow();
		const text = pdfText(stored.print_file!, 'small.pdf');
		// Each child: one letter to the 保護者 and one 予診票 per dose (BCG, B型肝炎).
		for (const index of [0, 1, 2])
			expect(text).toMatch(new RegExp(`勧奨\\s+子${index} 様の保護者様`));
		expect(text).toContain('予防接種のご案内');
		expect(text).toContain('同封の予診票に記入し');
		expect(text).toContain('予防接種予診票（BCG');
		expect(text).toContain('Routine vaccination reminder');
		const pages = (await PDFDocument.load(stored.print_file!)).getPageCount();
		expect(pages).toBe(stored.print_pages);
		const recipients = await database.owner
			.selectFrom('mailing_recipient')
			.select(['seq', 'atena_number', 'first_page', 'pages', 'document_number'])
			.where('batch_id', '=', batch.id)
			.orderBy('seq')
			.execute();
		expect(recipients.map((recipient) => recipient.atena_number).sort()).toEqual([
			'700001',
			'700003',
			'700005'
		]);
		expect(recipients.reduce((sum, recipient) => sum + recipient.pages!, 0)).toBe(pages);
		expect(recipients.every((recipient) => recipient.pages! >= 3)).toBe(true);
		// One person's letters cut from the part: their own name, nobody else's.
		const second = recipients[1]!;
		const reprint = await recipientLetters(database.backoffice, city, batch.id, second.seq);
		expect((await PDFDocument.load(reprint!)).getPageCount()).toBe(second.pages);
		const reprintText = pdfText(reprint!, 'one.pdf');
		expect(reprintText).toContain(second.document_number);
		for (const other of [recipients[0]!, recipients[2]!])
			expect(reprintText).not.toContain(other.document_number);

		await markMailingSent(database.backoffice, {
			municipalityCode: city,
			batchId: batch.id,
			sentOn: '2026-12-02',
			actor: staff
		});
		await expect(
			markMailingSent(database.backoffice, {
				municipalityCode: city,
				batchId: batch.id,
				sentOn: '2026-12-02',
				actor: staff
			})
		).rejects.toThrow(MailingError);
		const audit = await database.owner
			.selectFrom('audit.entry')
			.select(['action', 'object_id'])
			.where('action', 'like', 'mailing.%')
			.orderBy('seq')
			.execute();
		expect(audit.map((entry) => entry.action)).toEqual([
			'mailing.preview',
			'mailing.create',
			'mailing.render',
			'mailing.mark_sent'
		]);
	});

	it('stops a cancelled batch and refuses an empty one', async () => {
		const criteria = mailingCriteria.parse({
			kind: 'newborn',
			bornFrom: '2026-10-01',
			bornUntil: '2026-10-31'
		});
		const batch = await createMailingBatch(database.backoffice, {
			municipalityCode: city,
			criteria,
			actor: staff,
			now
		});
		await cancelMailing(database.backoffice, {
			municipalityCode: city,
			batchId: batch.id,
			actor: staff,
			now
		});
		expect(
			await runMailingBatch(database.backoffice, batch.id, { portalUrl: 'https://portal.example/' })
		).toBe('stopped');
		const rendered = await database.owner
			.selectFrom('mailing_part')
			.select('part_no')
			.where('batch_id', '=', batch.id)
			.where('pdf', 'is not', null)
			.execute();
		expect(rendered).toEqual([]);
		const nobody = mailingCriteria.parse({
			kind: 'newborn',
			bornFrom: '2020-01-01',
			bornUntil: '2020-01-02'
		});
		await expect(
			createMailingBatch(database.backoffice, {
				municipalityCode: city,
				criteria: nobody,
				actor: staff,
				now
			})
		).rejects.toThrow('empty');
	});
});

describe('a 10,000-person batch', () => {
	const workers: ChildProcess[] = [];
	afterAll(async () => {
		for (const worker of workers) {
			if (worker.exitCode !== null || worker.signalCode !== null) continue;
			worker.kill('SIGKILL');
			await new Promise((resolve) => worker.once('exit', resolve));
		}
	});

	function startWorker(): ChildProcess {
		const worker = spawn(
			process.execPath,
			['node_modules/tsx/dist/cli.mjs', 'scripts/jobs-worker.ts'],
			{
				env: {
					...process.env,
					DATABASE_URL: database.urlFor('backoffice'),
					APP_ROLE: 'backoffice',
					MY_NUMBER_KEY: randomBytes(32).toString('base64'),
					ORIGIN: 'http://localhost:3000'
				},
				stdio: ['ignore', 'ignore', 'inherit']
			}
		);
		workers.push(worker);
		return worker;
	}
	const renderedParts = async (batchId: string) =>
		Number(
			(
				await sql<{ n: string }>`SELECT count(*) AS n FROM mailing_part
					WHERE batch_id = ${batchId} AND pdf IS NOT NULL`.execute(database.owner)
			).rows[0]!.n
		);
	async function until(check: () => Promise<boolean>, seconds: number) {
		const deadline = Date.now() + seconds * 1000;
		while (Date.now() < deadline) {
			if (await check()) return;
			await new Promise((resolve) => setTimeout(resolve, 200));
		}
		throw new Error('timed out');
	}

	it(
		'renders after a kill -9 halfway with no letter twice and none missing',
		{ timeout: 900_000 },
		async () => {
			await registerFamilies(10_000, 1_000_000, '2026-08-01');
			const criteria = mailingCriteria.parse({
				kind: 'newborn',
				bornFrom: '2026-08-01',
				bornUntil: '2026-09-29'
			});
			const batch = await createMailingBatch(database.backoffice, {
				municipalityCode: city,
				criteria,
				actor: staff,
				now
			});
			expect(batch).toMatchObject({ recipients: 10_000, parts: 100 });
			// The back office queues the batch; a worker process takes it.
			const sender = await startJobs(database.urlFor('backoffice'), database.backoffice, {
				work: false
			});
			await sender.enqueueMailing(batch.id);
			await sender.stop();

			const first = startWorker();
			await until(async () => (await renderedParts(batch.id)) >= 50, 600);
			first.kill('SIGKILL');
			await new Promise((resolve) => first.once('exit', resolve));
			const atKill = await renderedParts(batch.id);
			expect(atKill).toBeLessThan(100);
			const status = await database.owner
				.selectFrom('mailing_batch')
				.select('status')
				.where('id', '=', batch.id)
				.executeTakeFirstOrThrow();
			expect(status.status).toBe('rendering');

			// A new worker resumes the batch by itself at start-up.
			const second = startWorker();
			await until(async () => {
				const row = await database.owner
					.selectFrom('mailing_batch')
					.select('status')
					.where('id', '=', batch.id)
					.executeTakeFirstOrThrow();
				return row.status === 'rendered';
			}, 600);
			second.kill('SIGTERM');
			await new Promise((resolve) => second.once('exit', resolve));

			const recipients = await database.owner
				.selectFrom('mailing_recipient')
				.select(['document_number', 'pages', 'first_page', 'part_no'])
				.where('batch_id', '=', batch.id)
				.execute();
			expect(recipients.length).toBe(10_000);
			expect(
				recipients.every((recipient) => recipient.pages === 1 && recipient.first_page! >= 1)
			).toBe(true);
			const stored = await database.owner
				.selectFrom('mailing_batch')
				.select(['print_file', 'print_pages'])
				.where('id', '=', batch.id)
				.executeTakeFirstOrThrow();
			expect(stored.print_pages).toBe(10_000);
			// Every page of the print file carries its letter's number: each number exactly once.
			const text = pdfText(stored.print_file!, 'big.pdf');
			const numbers = text.match(/M[0-9A-F]{8}-\d{6}/g) ?? [];
			expect(numbers.length).toBe(10_000);
			expect(new Set(numbers)).toEqual(
				new Set(recipients.map((recipient) => recipient.document_number))
			);
			expect((await verifyAuditChain(database.owner)).firstBreak).toBeNull();
		}
	);
});
