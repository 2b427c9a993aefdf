// The retention purge against a real database: archive first (encrypted, readable with the key
// and only with it), then delete — old 予防接種台帳 entries of people who left, audit payloads past
// their years (the chain still verifies), a sent mailing's print file — and nothing deleted when
// the archive cannot be written.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/lib/server/audit/verify';
import { loadDemoCity } from '../../src/lib/server/demo/load';
import { createMailingBatch, markMailingSent } from '../../src/lib/server/mailings/batches';
import { runMailingBatch } from '../../src/lib/server/mailings/render';
import { mailingCriteria } from '../../src/lib/server/mailings/selection';
import { openArchive } from '../../src/lib/server/retention/archive';
import { planRetention, runRetention } from '../../src/lib/server/retention/purge';
import { freshDatabase, type TestDatabase } from '../support/database';

const city = '139998';
const actor = { type: 'system', id: 'retention-test', role: 'system' } as const;
const key = { id: 'arch1', key: randomBytes(32) };
const archiveDir = mkdtempSync(path.join(os.tmpdir(), 'retention-'));
let database: TestDatabase;
let leftLongAgo: string;
let leftRecently: string;

beforeAll(async () => {
	database = await freshDatabase();
	await loadDemoCity(database.owner, {
		seed: '9',
		residents: 600,
		asOf: '2026-11-01',
		myNumberKey: { id: 't', key: randomBytes(32) }
	});
	await database.owner
		.updateTable('municipality')
		.set({ retention_years: JSON.stringify({ vaccination_record: 5, audit_payload: 0 }) })
		.execute();
	// Two children with doses leave the register: one in 2015, one this year.
	const { rows } = await sql<{ atena_number: string }>`
		SELECT r.atena_number FROM resident r
		WHERE r.status = 'resident' AND (SELECT count(*) FROM vaccination_dose d WHERE d.atena_number = r.atena_number) >= 3
		ORDER BY r.atena_number LIMIT 2`.execute(database.owner);
	[leftLongAgo, leftRecently] = rows.map((row) => row.atena_number) as [string, string];
	await sql`UPDATE resident SET status = 'moved_out', removed_on = '2015-03-31' WHERE atena_number = ${leftLongAgo}`.execute(
		database.owner
	);
	await sql`UPDATE resident SET status = 'moved_out', removed_on = '2026-03-31' WHERE atena_number = ${leftRecently}`.execute(
		database.owner
	);
});
afterAll(async () => {
	await database?.close();
	rmSync(archiveDir, { recursive: true, force: true });
});

const doseCount = async (atena: string) =>
	Number(
		(
			await sql<{
				n: string;
			}>`SELECT count(*) AS n FROM vaccination_dose WHERE atena_number = ${atena}`.execute(
				database.owner
			)
		).rows[0]!.n
	);

describe('the retention purge', () => {
	it('deletes nothing when the archive cannot be written', async () => {
		const before = await doseCount(leftLongAgo);
		await expect(
			runRetention(database.backoffice, {
				municipalityCode: city,
				today: '2026-11-30',
				now: new Date(),
				archiveDir: path.join(archiveDir, 'missing', 'dir'),
				archiveKey: key,
				actor
			})
		).rejects.toThrow();
		expect(await doseCount(leftLongAgo)).toBe(before);
		const payloads = await sql<{ n: string }>`SELECT count(*) AS n FROM audit.payload`.execute(
			database.owner
		);
		expect(Number(payloads.rows[0]!.n)).toBeGreaterThan(0);
	});

	it('archives, then purges what is past its retention, and audits both', async () => {
		const criteria = mailingCriteria.parse({ kind: 'due' });
		const now = new Date();
		const batch = await createMailingBatch(database.backoffice, {
			municipalityCode: city,
			criteria,
			actor,
			now
		});
		await runMailingBatch(database.backoffice, batch.id, { portalUrl: 'https://portal.example/' });
		const sentOn = new Date(now.getTime() - 40 * 86_400_000).toISOString().slice(0, 10);
		await markMailingSent(database.backoffice, {
			municipalityCode: city,
			batchId: batch.id,
			sentOn,
			actor
		});

		const oldDoses = await doseCount(leftLongAgo);
		const recentDoses = await doseCount(leftRecently);
		const plan = await planRetention(database.backoffice, {
			municipalityCode: city,
			today: '2026-11-30',
			now
		});
		expect(plan.find((entry) => entry.class === 'vaccination_record')!.rows).toBe(oldDoses);
		expect(plan.find((entry) => entry.class === 'mailing_files')!.rows).toBe(1);
		const payloadsBefore = plan.find((entry) => entry.class === 'audit_payload')!.rows;
		expect(payloadsBefore).toBeGreaterThan(0);

		const result = await runRetention(database.backoffice, {
			municipalityCode: city,
			today: '2026-11-30',
			now: new Date(),
			archiveDir,
			archiveKey: key,
			actor
		});
		expect(result.counts).toMatchObject({ vaccination_record: oldDoses, mailing_files: 1 });
		expect(result.counts.audit_payload).toBeGreaterThanOrEqual(payloadsBefore);
		expect(await doseCount(leftLongAgo)).toBe(0);
		expect(await doseCount(leftRecently)).toBe(recentDoses);
		const mailing = await database.owner
			.selectFrom('mailing_batch')
			.select(['print_file', 'files_purged_at', 'status'])
			.where('id', '=', batch.id)
			.executeTakeFirstOrThrow();
		expect(mailing).toMatchObject({ print_file: null, status: 'sent' });
		expect(mailing.files_purged_at).not.toBeNull();
		const recipients = await database.owner
			.selectFrom('mailing_recipient')
			.select('seq')
			.where('batch_id', '=', batch.id)
			.execute();
		expect(recipients.length).toBe(batch.recipients);

		// The archive holds what was deleted, readable with the key and not without it.
		const sealed = readFileSync(result.archiveFile!);
		expect(sealed.toString('latin1')).not.toContain(leftLongAgo);
		const rows = openArchive(sealed, [key]);
		const archivedDoses = rows.filter((row) => row.class === 'vaccination_record');
		expect(archivedDoses.length).toBe(oldDoses);
		expect(
			archivedDoses.every(
				(row) => (row.row as { atena_number: string }).atena_number === leftLongAgo
			)
		).toBe(true);
		expect(rows.filter((row) => row.class === 'audit_payload').length).toBe(
			result.counts.audit_payload
		);
		expect(() => openArchive(sealed, [{ id: 'arch1', key: randomBytes(32) }])).toThrow();
		expect(existsSync(`${result.archiveFile}.partial`)).toBe(false);

		// The chain still verifies without the erased payloads; both steps are in it.
		expect((await verifyAuditChain(database.owner)).firstBreak).toBeNull();
		const audit = await database.owner
			.selectFrom('audit.entry')
			.select('action')
			.where('action', 'like', 'retention.%')
			.orderBy('seq')
			.execute();
		expect(audit.map((entry) => entry.action)).toEqual(['retention.archive', 'retention.purge']);
		const stored = await database.owner
			.selectFrom('retention_run')
			.selectAll()
			.executeTakeFirstOrThrow();
		expect(stored.archive_file).toBe(path.basename(result.archiveFile!));

		// The app's role cannot delete audit payloads on its own, only through the function.
		await expect(sql`DELETE FROM audit.payload`.execute(database.backoffice)).rejects.toThrow(
			/permission denied/
		);
	});
});
