// The 住民基本台帳 異動 feed against a real database, as the back office's own role: good lines
// applied and bad ones reported by number, a re-run that changes nothing, a dry run that changes
// nothing but shows the diff, 法定代理人 links recomputed, and a 転出 that ends portal access.
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../src/lib/server/audit/verify';
import { userHandleOf } from '../../src/lib/server/auth/credentials';
import { createSessionManager } from '../../src/lib/server/auth/sessions';
import { representedPeople } from '../../src/lib/server/residents/household';
import { importRegistryFeed } from '../../src/lib/server/residents/registry-import';
import { feedColumns } from '../../src/lib/server/residents/registry-feed';
import {
	cancelRegistryApply,
	queueRegistryApply,
	registryApplyProgress,
	runRegistryApply
} from '../../src/lib/server/residents/registry-jobs';
import {
	freshDatabase,
	freshPortalZone,
	type TestDatabase,
	type TestPortalZone
} from '../support/database';
import { publishToZone } from '../support/publish';
import { projectedCredential } from '../../src/lib/server/zone/projection';
import { insertTestMunicipality, residentWithCredential } from '../support/fixtures';

const city = '139998';
const actor = { type: 'system', id: 'registry-test', role: 'system' } as const;
let database: TestDatabase;
/** The portal zone, where a resident's sessions live and the passkeys are published (issue 27). */
let zone: TestPortalZone;

beforeAll(async () => {
	database = await freshDatabase();
	zone = await freshPortalZone();
	await insertTestMunicipality(database.owner, city);
});
afterAll(async () => {
	await zone?.close();
	await database?.close();
});

type Person = Partial<Record<(typeof feedColumns)[number], string>>;
const base = {
	household_number: '5001',
	is_household_head: '0',
	relationship: '子',
	name_romaji: '',
	sex: '1',
	postal_code: '100-0001',
	address: 'テスト市中央1-2-3',
	resident_type: '1',
	foreign_resident_on: '',
	phone: ''
};
function line(person: Person): string {
	return feedColumns.map((column) => person[column] ?? (base as Person)[column] ?? '').join(',');
}
const header = feedColumns.join(',');
const father = {
	change: 'move_in',
	effective_on: '2024-04-01',
	atena_number: '900001',
	is_household_head: '1',
	relationship: '世帯主',
	name_kanji: '登録　一郎',
	name_kana: 'トウロク　イチロウ',
	birth_date: '1988-05-10',
	phone: '090-1111-2222'
};
const mother = {
	...father,
	atena_number: '900002',
	is_household_head: '0',
	relationship: '妻',
	name_kanji: '登録　花子',
	name_kana: 'トウロク　ハナコ',
	sex: '2',
	birth_date: '1990-07-01',
	phone: ''
};
const child = {
	change: 'birth',
	effective_on: '2025-02-03',
	atena_number: '900003',
	name_kanji: '登録　翔',
	name_kana: 'トウロク　ショウ',
	birth_date: '2025-02-03'
};
const single = {
	change: 'move_in',
	effective_on: '2023-10-01',
	atena_number: '900010',
	household_number: '5002',
	is_household_head: '1',
	relationship: '世帯主',
	name_kanji: 'Smith John',
	name_kana: 'スミス　ジョン',
	name_romaji: 'SMITH JOHN',
	birth_date: '1979-01-31',
	resident_type: '2',
	foreign_resident_on: '2023-10-01'
};
const feed = [
	header,
	line(father), // 2
	line(mother), // 3
	line(child), // 4
	line({ ...child, atena_number: '900004', birth_date: '2025-02-30', effective_on: '2025-03-01' }), // 5
	line(single).split(',').slice(0, 10).join(','), // 6: too few columns
	line({ ...single, atena_number: '900011', name_kanji: 'ab"c' }), // 7: a stray quote
	line({ ...father, change: 'move_out', atena_number: '900099', effective_on: '2026-01-10' }), // 8
	line(single), // 9
	line({ ...mother, atena_number: '900005', name_kana: 'Hanako' }), // 10: kana in Latin letters
	line({ ...father, atena_number: '900006', effective_on: '2099-01-01' }) // 11: in the future
].join('\r\n');

const now = new Date('2026-11-30T10:00:00+09:00');
const run = (text: string, dryRun = false) =>
	importRegistryFeed(database.backoffice, {
		municipalityCode: city,
		fileName: 'ido-20261130.csv',
		source: Readable.from([Buffer.from(`\ufeff${text}${text.includes('\r\n') ? '\r\n' : '\n'}`)]),
		dryRun,
		actor,
		now,
		batchSize: 3
	});

async function residents() {
	return database.owner
		.selectFrom('resident')
		.selectAll()
		.where('municipality_code', '=', city)
		.orderBy('atena_number')
		.execute();
}
async function links() {
	return database.owner
		.selectFrom('guardianship')
		.select(['guardian_atena_number', 'child_atena_number', 'valid_from', 'valid_until'])
		.where('municipality_code', '=', city)
		.orderBy(['guardian_atena_number', 'child_atena_number'])
		.execute();
}

describe('the registry feed', () => {
	it('applies the good lines and reports each bad one by its line number', async () => {
		const report = await run(feed);
		expect(report.lines).toBe(11);
		expect(report.counts).toMatchObject({ insert: 4, update: 0, unchanged: 0 });
		expect(report.errors).toEqual([
			{ line: 5, field: 'birth_date', code: 'invalid_date' },
			{ line: 6, field: null, code: 'column_count' },
			{ line: 7, field: null, code: 'malformed_csv' },
			{ line: 8, field: 'atena_number', code: 'unknown_person' },
			{ line: 10, field: 'name_kana', code: 'invalid' },
			{ line: 11, field: 'effective_on', code: 'future_date' }
		]);
		expect(report.errorCount).toBe(6);
		const rows = await residents();
		expect(rows.map((row) => row.atena_number)).toEqual(['900001', '900002', '900003', '900010']);
		const born = rows.find((row) => row.atena_number === '900003')!;
		expect(born).toMatchObject({
			status: 'resident',
			became_resident_reason: 'birth',
			became_resident_on: '2025-02-03',
			household_number: '5001',
			sex: 'male'
		});
		expect(rows.find((row) => row.atena_number === '900010')).toMatchObject({
			resident_type: 'foreign',
			foreign_resident_on: '2023-10-01',
			name_romaji: 'SMITH JOHN',
			became_resident_on: '2023-10-01',
			became_resident_reason: 'moved_in'
		});
		// The parents in the child's household represent the child until the day before 18.
		expect(await links()).toEqual([
			{
				guardian_atena_number: '900001',
				child_atena_number: '900003',
				valid_from: '2025-02-03',
				valid_until: '2043-02-02'
			},
			{
				guardian_atena_number: '900002',
				child_atena_number: '900003',
				valid_from: '2025-02-03',
				valid_until: '2043-02-02'
			}
		]);
		expect(report.guardianships).toEqual({ added: 2, removed: 0, updated: 0 });
		const stored = await database.owner
			.selectFrom('registry_import')
			.selectAll()
			.where('id', '=', report.id)
			.executeTakeFirstOrThrow();
		expect(stored).toMatchObject({ dry_run: false, lines: 11, error_count: 6 });
		expect(stored.file_sha256).toMatch(/^[0-9a-f]{64}$/);
		const changes = await database.owner
			.selectFrom('registry_import_change')
			.select(['line', 'atena_number', 'kind'])
			.where('import_id', '=', report.id)
			.orderBy('line')
			.execute();
		expect(changes).toEqual([
			{ line: 2, atena_number: '900001', kind: 'insert' },
			{ line: 3, atena_number: '900002', kind: 'insert' },
			{ line: 4, atena_number: '900003', kind: 'insert' },
			{ line: 9, atena_number: '900010', kind: 'insert' }
		]);
	});

	it('changes nothing when the same file runs again', async () => {
		const before = await residents();
		const linksBefore = await links();
		const report = await run(feed);
		expect(report.counts).toEqual({
			insert: 0,
			update: 0,
			return: 0,
			move_out: 0,
			death: 0,
			unchanged: 4
		});
		expect(report.errorCount).toBe(6);
		expect(report.guardianships).toEqual({ added: 0, removed: 0, updated: 0 });
		expect(await residents()).toEqual(before); // updated_at included: no row was written
		expect(await links()).toEqual(linksBefore);
		const changes = await database.owner
			.selectFrom('registry_import_change')
			.select('line')
			.where('import_id', '=', report.id)
			.execute();
		expect(changes).toEqual([]);
	});

	it('shows a dry run’s diff and leaves the register as it was', async () => {
		const before = await residents();
		const moved = line({
			...single,
			change: 'move_within',
			effective_on: '2026-11-20',
			postal_code: '100-0005',
			address: 'テスト市北町5-5'
		});
		const report = await run([header, moved].join('\n'), true);
		expect(report.dryRun).toBe(true);
		expect(report.counts.update).toBe(1);
		expect(report.changes).toEqual([
			{
				line: 2,
				atena_number: '900010',
				kind: 'update',
				fields: ['postal_code', 'address', 'address_set_on']
			}
		]);
		expect(await residents()).toEqual(before);
		const stored = await database.owner
			.selectFrom('registry_import_change')
			.select(['atena_number', 'fields'])
			.where('import_id', '=', report.id)
			.execute();
		expect(stored).toEqual([
			{ atena_number: '900010', fields: ['postal_code', 'address', 'address_set_on'] }
		]);
	});

	it('accounts for every line of a feed whose line endings change part way', async () => {
		// The first eight lines end in CRLF, the last three in LF, as when two files are joined.
		const lines = feed.split('\r\n');
		const mixed = `${lines.slice(0, 8).join('\r\n')}\r\n${lines.slice(8).join('\n')}`;
		const [report, whole] = [await run(mixed, true), await run(feed, true)];
		const total = Object.values(report.counts).reduce((sum, count) => sum + count, 0);
		expect(total + report.errorCount).toBe(10);
		expect(report.errors).toEqual(whole.errors);
		expect(report.counts).toEqual(whole.counts);
		expect(report.fileLines).toBe(11);
	});

	it('ends a person’s portal access at 転出 and moves the child’s representation with them', async () => {
		// The father has a passkey, published to the portal zone, and an open session there.
		const { account, credential } = await residentWithCredential(
			database.portal,
			city,
			'900001',
			now
		);
		await publishToZone(database.backoffice, zone.portal);
		const sessions = createSessionManager(zone.portal, 'resident', {
			secureCookies: false,
			settings: () => ({ idleMinutes: 30, absoluteHours: 12 })
		});
		const { token } = await sessions.start({
			ownerId: account.id,
			municipalityCode: city,
			credentialId: credential.id,
			ip: null,
			userAgent: null,
			now: new Date()
		});
		expect((await sessions.check(token, new Date())).status).toBe('valid');
		expect(await projectedCredential(zone.portal, credential.credential_id)).toMatchObject({
			active: true
		});
		const fatherAccount = { id: account.id, municipalityCode: city, atenaNumber: '900001' };
		expect((await representedPeople(database.portal, fatherAccount, now)).length).toBe(2);

		const out = line({ ...father, change: 'move_out', effective_on: '2026-11-25' });
		const report = await run([header, out].join('\n'));
		expect(report.counts.move_out).toBe(1);
		const row = (await residents()).find((person) => person.atena_number === '900001')!;
		expect(row).toMatchObject({ status: 'moved_out', removed_on: '2026-11-25' });
		// The 転出 marks his passkey; once published, the portal refuses it and ends its sessions.
		expect((await sessions.check(token, new Date())).status).toBe('valid');
		await publishToZone(database.backoffice, zone.portal);
		expect(await projectedCredential(zone.portal, credential.credential_id)).toMatchObject({
			active: false
		});
		expect((await sessions.check(token, new Date())).status).toBe('none');
		expect(await userHandleOf(database.backoffice, 'resident', account.id)).toMatchObject({
			active: false
		});
		// Only the mother still represents the child.
		expect((await links()).map((link) => link.guardian_atena_number)).toEqual(['900002']);
		expect(report.guardianships).toEqual({ added: 0, removed: 1, updated: 0 });

		// The same 転出 line again is not an error and changes nothing.
		const again = await run([header, out].join('\n'));
		expect(again.counts).toMatchObject({ move_out: 0, unchanged: 1 });
		expect(again.errorCount).toBe(0);

		// He moves back in: the link to his child is restored from the household.
		const back = line({ ...father, change: 'move_in', effective_on: '2026-11-28' });
		const returned = await run([header, back].join('\n'));
		expect(returned.counts.return).toBe(1);
		expect((await links()).map((link) => [link.guardian_atena_number, link.valid_from])).toEqual([
			['900001', '2026-11-28'],
			['900002', '2025-02-03']
		]);
	});

	it('moves a child to another household and refuses contradictions', async () => {
		// The child is registered as the 子 of the 世帯主 of household 5002 from now on.
		const moved = line({
			...child,
			change: 'household',
			effective_on: '2026-11-29',
			household_number: '5002'
		});
		const died = line({ ...mother, change: 'death', effective_on: '2026-11-29' });
		const contradiction = line({ ...single, change: 'birth', effective_on: single.birth_date });
		const report = await run([header, moved, died, contradiction].join('\n'));
		expect(report.counts).toMatchObject({ update: 1, death: 1 });
		expect(report.errors).toEqual([{ line: 4, field: 'atena_number', code: 'already_registered' }]);
		expect(
			(await links()).map((link) => [link.guardian_atena_number, link.child_atena_number])
		).toEqual([['900010', '900003']]);
		expect(report.guardianships).toEqual({ added: 1, removed: 2, updated: 0 });
		expect((await verifyAuditChain(database.owner)).firstBreak).toBeNull();
		const audit = await database.owner
			.selectFrom('audit.entry')
			.select(['action', 'object_id'])
			.where('action', '=', 'system.registry_import')
			.execute();
		expect(audit.length).toBe(9);
	});
});

describe('applying an uploaded file as a job', () => {
	async function upload(lines: string[]) {
		const text = [header, ...lines].join('\n');
		const dry = await run(text, true);
		return database.backoffice
			.insertInto('registry_upload')
			.values({
				municipality_code: city,
				file_name: 'big.csv',
				bytes: Buffer.from(text),
				size: Buffer.byteLength(text),
				uploaded_by: '00000000-0000-0000-0000-000000000000',
				dry_run_id: dry.id,
				expires_at: new Date(Date.now() + 3_600_000)
			})
			.returning('id')
			.executeTakeFirstOrThrow();
	}
	const people = (count: number, first: number) =>
		Array.from({ length: count }, (_, index) =>
			line({
				...single,
				atena_number: String(first + index),
				household_number: `J${first + index}`
			})
		);
	const registered = async (first: number, count: number) =>
		(
			await database.owner
				.selectFrom('resident')
				.select('atena_number')
				.where('atena_number', '>=', String(first))
				.where('atena_number', '<', String(first + count))
				.execute()
		).length;

	it('is queued once, applied with its progress, and drops the file', async () => {
		const { id } = await upload(people(9000, 910000));
		expect(
			await queueRegistryApply(database.backoffice, { municipalityCode: city, uploadId: id, now })
		).toBe(true);
		expect(
			await queueRegistryApply(database.backoffice, { municipalityCode: city, uploadId: id, now })
		).toBe(false);
		expect(await runRegistryApply(database.backoffice, id, { now: () => now })).toBe('applied');
		const row = await database.owner
			.selectFrom('registry_upload')
			.selectAll()
			.where('id', '=', id)
			.executeTakeFirstOrThrow();
		expect(row).toMatchObject({ status: 'applied', bytes: null, lines_done: 9001 });
		expect(row.applied_import_id).not.toBeNull();
		expect(await registered(910000, 9000)).toBe(9000);
		// A second delivery of the same job finds nothing to do.
		expect(await runRegistryApply(database.backoffice, id, { now: () => now })).toBe('skipped');
	});

	it('cancelled halfway, applies nothing', async () => {
		const { id } = await upload(people(20000, 920000));
		await queueRegistryApply(database.backoffice, { municipalityCode: city, uploadId: id, now });
		const running = runRegistryApply(database.backoffice, id, { now: () => now });
		for (;;) {
			const progress = await registryApplyProgress(database.backoffice, {
				municipalityCode: city,
				uploadId: id,
				now
			});
			if (progress!.linesDone > 0) break;
			await new Promise((resolve) => setTimeout(resolve, 10));
		}
		expect(
			await cancelRegistryApply(database.backoffice, { municipalityCode: city, uploadId: id })
		).toBe(true);
		expect(await running).toBe('cancelled');
		expect(await registered(920000, 20000)).toBe(0);
		const row = await database.owner
			.selectFrom('registry_upload')
			.select(['status', 'bytes'])
			.where('id', '=', id)
			.executeTakeFirstOrThrow();
		expect(row).toEqual({ status: 'cancelled', bytes: null });
	});
});
