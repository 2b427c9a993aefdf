// Least privilege, decided per object (issue 24, item 1): every schema, table, view, sequence and
// function, and what each app role may do to it, must match the reviewed allow-list in
// docs/privileges.tsv; and the portal's role, the internet-facing one, cannot do what an attack
// from outside did with it (a staff session for the relief officer, a changed dose, a granted
// role, the audit log read).
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privilegeHeader, privilegeLines } from '../../src/lib/server/db/privileges';
import { createStaffUser } from '../../src/lib/server/staff/accounts';
import { sessionIdHash } from '../../src/lib/server/auth/sessions';
import {
	freshDatabase,
	freshPortalZone,
	type TestDatabase,
	type TestPortalZone
} from '../support/database';
import {
	insertTestMunicipality,
	insertTestResident,
	residentWithCredential
} from '../support/fixtures';

const city = '990024';
let database: TestDatabase;
let zone: TestPortalZone;
let staffId: string;

beforeAll(async () => {
	database = await freshDatabase();
	zone = await freshPortalZone();
	await insertTestMunicipality(database.owner, city);
	await insertTestResident(database.owner, city, '2400001');
	await residentWithCredential(database.owner, city, '2400001');
	const staff = await createStaffUser(database.owner, {
		municipalityCode: city,
		loginId: 'relief1',
		displayName: '救済　担当',
		departmentJa: '健康増進課',
		departmentEn: 'Health Promotion Division',
		roles: [{ role: 'relief_officer', validFrom: '2026-01-01', validUntil: null }],
		createdBy: null,
		reason: 'test',
		now: new Date()
	});
	staffId = staff.id;
	await sql`INSERT INTO webauthn_credential (municipality_code, staff_user_id, credential_id, public_key,
		sign_count, aaguid, attestation_format, backup_eligible, backup_state, nickname, created_at)
		VALUES (${city}, ${staffId}, 'staff-key', '\\x00', 0, '00000000-0000-0000-0000-000000000000', 'none',
		false, false, 'staff', now())`.execute(database.owner);
});
afterAll(async () => {
	await zone?.close();
	await database?.close();
});

const allowList = (file = 'docs/privileges.tsv') =>
	readFileSync(file, 'utf8')
		.split('\n')
		.filter((line) => line !== '' && line !== privilegeHeader);

describe('the privilege allow-list (docs/privileges.tsv)', () => {
	it('is exactly what the migrated database grants, object by object', async () => {
		const actual = await privilegeLines(database.owner);
		// Lines in one and not the other, so a failure names the objects to decide on.
		const expected = allowList();
		expect({
			granted_but_not_listed: actual.filter((line) => !expected.includes(line)),
			listed_but_not_granted: expected.filter((line) => !actual.includes(line))
		}).toEqual({ granted_but_not_listed: [], listed_but_not_granted: [] });
	});

	it('of the portal zone’s own database (docs/privileges-portal-zone.tsv) is exactly what it grants', async () => {
		const actual = await privilegeLines(zone.owner);
		const expected = allowList('docs/privileges-portal-zone.tsv');
		expect({
			granted_but_not_listed: actual.filter((line) => !expected.includes(line)),
			listed_but_not_granted: expected.filter((line) => !actual.includes(line))
		}).toEqual({ granted_but_not_listed: [], listed_but_not_granted: [] });
		// Nothing there for anyone but the portal; the back office has no role on that server.
		expect(actual.filter((line) => line.split('\t')[3] !== '-')).toEqual([]);
		expect(actual.filter((line) => line.split('\t')[4] !== '-')).toEqual([]);
	});

	it('catches a new table: no default privileges, and a line nobody decided on', async () => {
		const name = `undecided_${randomBytes(3).toString('hex')}`;
		await sql.raw(`CREATE TABLE public.${name} (id int)`).execute(database.owner);
		try {
			const lines = await privilegeLines(database.owner);
			const line = lines.find((entry) => entry.startsWith(`table\tpublic.${name}\t`));
			expect(line).toBe(`table\tpublic.${name}\t-\t-\t-\t-`);
			expect(allowList()).not.toContain(line);
			for (const app of [database.portal, database.backoffice]) {
				await expect(sql.raw(`SELECT * FROM public.${name}`).execute(app)).rejects.toThrow(
					/permission denied/
				);
			}
		} finally {
			await sql.raw(`DROP TABLE public.${name}`).execute(database.owner);
		}
	});
});

describe('the portal role cannot act as the back office', () => {
	it('cannot create a staff session (for the relief officer) or read one', async () => {
		await expect(
			sql`INSERT INTO staff_session (id, staff_user_id, credential_id, created_at, last_active_at,
				authenticated_at, expires_at)
				VALUES (${sessionIdHash('chosen-by-the-attacker')}, ${staffId}, gen_random_uuid(), now(), now(), now(),
				now() + interval '1 hour')`.execute(database.portal)
		).rejects.toThrow(/permission denied for table staff_session/);
		await expect(sql`SELECT count(*) FROM staff_session`.execute(database.portal)).rejects.toThrow(
			/permission denied/
		);
	});

	it('cannot change a dose, grant a role or a permission, or touch staff accounts', async () => {
		const attempts = [
			sql`UPDATE vaccination_dose SET administered_on = '2020-01-01'`,
			sql`INSERT INTO vaccination_dose_change (dose_id) VALUES (1)`,
			sql`INSERT INTO role_permission (municipality_code, role_code, permission_code) VALUES (${city}, 'relief_officer', 'mynumber.read')`,
			sql`INSERT INTO staff_role (municipality_code, staff_user_id, role_code) VALUES (${city}, ${staffId}, 'relief_officer')`,
			sql`UPDATE staff_user SET active = true`,
			sql`SELECT * FROM staff_user`,
			sql`SELECT * FROM role`,
			sql`SELECT * FROM permission`,
			sql`UPDATE municipality SET resident_idle_minutes = 600`,
			sql`UPDATE resident SET address = 'x'`,
			sql`UPDATE issued_document SET status = 'valid'`,
			sql`UPDATE application SET approved_by = ${staffId}, prepared_by = ${staffId}`
		];
		for (const attempt of attempts) {
			await expect(attempt.execute(database.portal)).rejects.toThrow(/permission denied/);
		}
	});

	it('cannot read the audit log or write an entry of its own making', async () => {
		for (const table of ['audit.entry', 'audit.payload', 'audit.review']) {
			await expect(sql.raw(`SELECT * FROM ${table}`).execute(database.portal)).rejects.toThrow(
				/permission denied/
			);
		}
		await expect(
			sql`INSERT INTO audit.entry (municipality_code, seq) VALUES (${city}, 999)`.execute(
				database.portal
			)
		).rejects.toThrow(/permission denied/);
		// Nor can the back office: entries come only from audit.append, which hashes them.
		await expect(
			sql`INSERT INTO audit.entry (municipality_code, seq) VALUES (${city}, 999)`.execute(
				database.backoffice
			)
		).rejects.toThrow(/permission denied/);
	});

	it('sees and writes residents’ passkeys only, never a staff member’s', async () => {
		const { rows } = await sql<{
			count: string;
		}>`SELECT count(*) FROM webauthn_credential WHERE staff_user_id IS NOT NULL`.execute(
			database.portal
		);
		expect(Number(rows[0]!.count)).toBe(0);
		const revoked = await database.portal
			.updateTable('webauthn_credential')
			.set({ revoked_at: new Date(), revoke_reason: 'attack' })
			.where('credential_id', '=', 'staff-key')
			.executeTakeFirst();
		expect(revoked.numUpdatedRows).toBe(0n);
		await expect(
			sql`INSERT INTO webauthn_credential (municipality_code, staff_user_id, credential_id, public_key,
				sign_count, aaguid, attestation_format, backup_eligible, backup_state, nickname, created_at)
				VALUES (${city}, ${staffId}, 'attacker-key', '\\x00', 0, '00000000-0000-0000-0000-000000000000',
				'none', false, false, 'mine', now())`.execute(database.portal)
		).rejects.toThrow(/row-level security/);
		// The back office still sees them all.
		const staffKeys = await database.backoffice
			.selectFrom('webauthn_credential')
			.select('id')
			.where('staff_user_id', '=', staffId)
			.execute();
		expect(staffKeys).toHaveLength(1);
	});

	it('reads no access log: the back office publishes it to the portal zone (issue 27)', async () => {
		await expect(
			sql`SELECT count(*) FROM audit.entry WHERE municipality_code = ${city}`.execute(
				database.portal
			)
		).rejects.toThrow(/permission denied/);
		await expect(sql`SELECT projection_mark_access()`.execute(database.portal)).rejects.toThrow(
			/permission denied/
		);
	});
});
