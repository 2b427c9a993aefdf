// Backup and restore against a real server: a sealed backup of the demo city (with audit entries,
// encrypted 個人番号, bytea documents), restored into a new database, gives the same rows, an
// audit chain that verifies with the same head, 個人番号 that still open with the key — and an
// altered or foreign-keyed backup restores nothing.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { sql } from 'kysely';
import { inject } from 'vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/lib/server/audit/verify';
import { createDatabase } from '../../src/lib/server/db';
import { restoreBackup, verifyBackup, writeBackup } from '../../src/lib/server/retention/backup';
import { withCredentials } from '../../src/lib/server/db/provision';
import { loadDemoCity } from '../../src/lib/server/demo/load';
import { generateHouseholds } from '../../src/lib/server/demo/generate';
import { openMyNumber } from '../../src/lib/server/mynumber/cipher';
import { freshDatabase, type TestDatabase } from '../support/database';

const demo = { seed: '4', residents: 400, asOf: '2026-11-01' };
const myNumberKey = { id: 'test', key: randomBytes(32) };
const key = { id: 'bak1', key: randomBytes(32) };
const dir = mkdtempSync(path.join(os.tmpdir(), 'backup-'));
const restoredName = `restored_${randomBytes(4).toString('hex')}`;
let database: TestDatabase;

beforeAll(async () => {
	database = await freshDatabase();
	await loadDemoCity(database.owner, { ...demo, myNumberKey });
});
afterAll(async () => {
	await database?.close();
	const admin = new pg.Client({ connectionString: inject('superuserUrl') });
	await admin.connect();
	await admin.query(`DROP DATABASE IF EXISTS ${restoredName} WITH (FORCE)`);
	await admin.end();
	rmSync(dir, { recursive: true, force: true });
});

const counts = async (db: ReturnType<typeof createDatabase> | TestDatabase['owner']) => {
	const { rows } = await sql<{ name: string; n: number }>`
		SELECT 'resident' AS name, count(*)::int AS n FROM resident
		UNION ALL SELECT 'vaccination_dose', count(*)::int FROM vaccination_dose
		UNION ALL SELECT 'guardianship', count(*)::int FROM guardianship
		UNION ALL SELECT 'individual_number', count(*)::int FROM mynumber.individual_number
		UNION ALL SELECT 'audit', count(*)::int FROM audit.entry
		UNION ALL SELECT 'staff', count(*)::int FROM staff_user`.execute(db);
	return Object.fromEntries(rows.map((row) => [row.name, row.n]));
};

describe('backup and restore', () => {
	it('restores every row into a new database, with the audit chain intact', async () => {
		const file = path.join(dir, 'city.vbak');
		const manifest = await writeBackup(database.ownerUrl, file, key);
		expect(manifest.tables.find((table) => table.name === 'resident')?.rows).toBe(
			(await counts(database.owner)).resident
		);
		// Sealed: no name or 宛名番号 readable in the file.
		const bytes = readFileSync(file);
		const person = await database.owner
			.selectFrom('resident')
			.select(['name_kanji', 'atena_number'])
			.executeTakeFirstOrThrow();
		expect(bytes.includes(Buffer.from(person.name_kanji))).toBe(false);
		expect(bytes.includes(Buffer.from(person.atena_number))).toBe(false);
		expect((await verifyBackup(file, [key])).migrations).toEqual(manifest.migrations);

		const report = await restoreBackup(inject('superuserUrl'), restoredName, file, [key]);
		expect(report.auditIntact).toBe(true);
		const superuser = new URL(inject('superuserUrl'));
		const restored = createDatabase(
			withCredentials(
				inject('superuserUrl'),
				superuser.username,
				decodeURIComponent(superuser.password),
				restoredName
			),
			{ max: 2 }
		);
		try {
			expect(await counts(restored)).toEqual(await counts(database.owner));
			const original = await verifyAuditChain(database.owner);
			const again = await verifyAuditChain(restored);
			expect(again.firstBreak).toBeNull();
			expect(again.chains).toEqual(original.chains);
			expect(original.chains[0]!.entries).toBeGreaterThan(0);
			// 個人番号 still open with the key after the round trip.
			const first = [...generateHouseholds(demo)][0]!.myNumbers[0]!;
			const row = await restored
				.selectFrom('mynumber.individual_number')
				.selectAll()
				.where('atena_number', '=', first.atena_number)
				.executeTakeFirstOrThrow();
			const opened = openMyNumber(
				[myNumberKey],
				{ municipalityCode: row.municipality_code, atenaNumber: row.atena_number },
				{
					keyId: row.key_id,
					nonce: row.nonce,
					ciphertext: row.ciphertext,
					authTag: row.auth_tag
				}
			);
			expect(opened).toBe(first.value);
			// New rows continue after the restored ids, and the audit log stays append-only.
			const dose = await restored
				.selectFrom('vaccination_dose')
				.select(sql<string>`max(id)`.as('max'))
				.executeTakeFirstOrThrow();
			const { rows } = await sql<{
				next: string;
			}>`SELECT nextval(pg_get_serial_sequence('vaccination_dose', 'id')) AS next`.execute(
				restored
			);
			expect(BigInt(rows[0]!.next)).toBeGreaterThan(BigInt(dose.max));
			await expect(sql`DELETE FROM audit.entry`.execute(restored)).rejects.toThrow(/append-only/);
		} finally {
			await restored.destroy();
		}
	});

	it('restores nothing from an altered file or with the wrong key', async () => {
		const file = path.join(dir, 'city.vbak');
		const altered = path.join(dir, 'altered.vbak');
		const bytes = readFileSync(file);
		bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
		writeFileSync(altered, bytes);
		await expect(
			restoreBackup(inject('superuserUrl'), 'never_created_a', altered, [key])
		).rejects.toThrow();
		await expect(
			restoreBackup(inject('superuserUrl'), 'never_created_b', file, [
				{ id: 'bak1', key: randomBytes(32) }
			])
		).rejects.toThrow();
		const admin = new pg.Client({ connectionString: inject('superuserUrl') });
		await admin.connect();
		const { rows } = await admin.query(
			`SELECT datname FROM pg_database WHERE datname LIKE 'never_created_%'`
		);
		await admin.end();
		expect(rows).toEqual([]);
	});
});
