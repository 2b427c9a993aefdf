// The contact desk's statutory clock against a real PostgreSQL (issue 8, first part): deadlines
// for requests received on a Friday, before a holiday and at the year's end, under the city's
// rules; an extension once, with a reason, before the deadline; 訂正 only within 90 days of the
// disclosure; who may ask and how; one request or inquiry per form key; the desk’s list by days left.
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoCity } from '../../src/lib/server/demo/load';
import {
	DeskRequestError,
	extendDeskRequest,
	openDeskRequests,
	registerDeskRequest,
	type DeskRequestInput
} from '../../src/lib/server/desk/requests';
import {
	closeInquiry,
	InquiryError,
	inquiryLog,
	logInquiry
} from '../../src/lib/server/desk/inquiries';
import { freshDatabase, type TestDatabase } from '../support/database';
import { staffCaller } from '../support/callers';

const city = '139998';
const desk = { type: 'staff' as const, id: 'desk-1', role: 'desk', department: null };
const deskCaller = staffCaller(city, desk, ['disclosure.handle']);
let database: TestDatabase;
let atena: string;

beforeAll(async () => {
	database = await freshDatabase();
	await loadDemoCity(database.owner, {
		seed: 'desk',
		residents: 60,
		asOf: '2026-11-01',
		myNumberKey: { id: 'test', key: randomBytes(32) }
	});
	atena = (
		await database.owner
			.selectFrom('resident')
			.select('atena_number')
			.where('status', '=', 'resident')
			.orderBy('atena_number')
			.executeTakeFirstOrThrow()
	).atena_number;
	// The demo city decides disclosure in 14 days, not counting the day of receipt.
	await database.owner
		.updateTable('municipality')
		.set({ disclosure_deadline_days: 14, disclosure_count_receipt_day: false })
		.execute();
});
afterAll(() => database.close());

const request = (values: Partial<DeskRequestInput> = {}): DeskRequestInput => ({
	kind: 'disclosure',
	channel: 'desk',
	subjectAtenaNumber: atena,
	requesterType: 'self',
	requesterName: '開示 請求者',
	powerOfAttorney: false,
	identityDocuments: ['my_number_card'],
	whatRequested: '予防接種台帳の記録とアクセス記録',
	receivedOn: '2026-11-20',
	...values
});
const register = (values: Partial<DeskRequestInput> = {}, today = '2026-11-23') =>
	registerDeskRequest(database.backoffice, {
		municipalityCode: city,
		request: request(values),
		actor: desk,
		today,
		now: new Date()
	});
const refusal = (promise: Promise<unknown>) =>
	promise.then(
		() => null,
		(failure) => (failure instanceof DeskRequestError ? failure.code : String(failure))
	);

describe('the statutory clock', () => {
	it('computes deadlines for a Friday, a holiday and the year end', async () => {
		// Friday 20 November: counted from Saturday, 14 days end on Friday 4 December.
		expect((await register()).deadline).toBe('2026-12-04');
		// 14 days after 20 October end on 3 November (文化の日): the next open day.
		expect((await register({ receivedOn: '2026-10-20' })).deadline).toBe('2026-11-04');
		// Ending on 30 December, inside 年末年始: Monday 4 January.
		expect((await register({ receivedOn: '2026-12-16' }, '2026-12-16')).deadline).toBe(
			'2027-01-04'
		);
	});

	it('follows the city’s rules as they stand when the request arrives', async () => {
		await database.owner
			.updateTable('municipality')
			.set({ disclosure_count_receipt_day: true, closed_days: ['2026-12-03'] })
			.execute();
		// Counting the Friday itself ends on Thursday 3 December — a day the city is closed.
		expect((await register()).deadline).toBe('2026-12-04');
		await database.owner
			.updateTable('municipality')
			.set({ disclosure_count_receipt_day: false, closed_days: [] })
			.execute();
		await expect(
			database.owner
				.updateTable('municipality')
				.set({ closed_days: ['3 Dec'] })
				.execute()
		).rejects.toThrow(/check/);
	});

	it('extends once, with a reason, before the deadline passes', async () => {
		const { id } = await register();
		expect(
			await refusal(
				extendDeskRequest(database.backoffice, {
					municipalityCode: city,
					id,
					reason: ' ',
					actor: desk,
					today: '2026-11-30'
				})
			)
		).toBe('reason_required');
		expect(
			await refusal(
				extendDeskRequest(database.backoffice, {
					municipalityCode: city,
					id,
					reason: '対象文書が多いため',
					actor: desk,
					today: '2026-12-05'
				})
			)
		).toBe('deadline_passed');
		// 4 December + 30 days = 3 January (年末年始): Monday 4 January.
		expect(
			await extendDeskRequest(database.backoffice, {
				municipalityCode: city,
				id,
				reason: '対象文書が多いため',
				actor: desk,
				today: '2026-12-01'
			})
		).toBe('2027-01-04');
		expect(
			await refusal(
				extendDeskRequest(database.backoffice, {
					municipalityCode: city,
					id,
					reason: 'もう一度',
					actor: desk,
					today: '2026-12-01'
				})
			)
		).toBe('already_extended');
		// The extension notice, registered and readable: the new deadline and the reason.
		const notice = await database.owner
			.selectFrom('issued_document')
			.select(['content', 'kind', 'released_at'])
			.where('file_name', 'like', 'enchou-%')
			.where('subject_atena_number', '=', atena)
			.orderBy('issued_at', 'desc')
			.executeTakeFirstOrThrow();
		const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'desk-')), 'notice.pdf');
		writeFileSync(file, notice.content);
		execFileSync('qpdf', ['--check', file]);
		const text = execFileSync('pdftotext', ['-raw', file, '-'], { encoding: 'utf8' }).replace(
			/\s+/g,
			''
		);
		expect(text).toContain('開示決定等の期限の延長について（通知）');
		expect(text).toContain('2027年1月4日');
		expect(text).toContain('対象文書が多いため');
		expect(notice.released_at).not.toBeNull();
		const { rows } = await sql<{ action: string; reason: string | null }>`
			SELECT action, reason FROM audit.entry WHERE object_id = ${id} ORDER BY seq`.execute(
			database.owner
		);
		expect(rows).toEqual([
			{ action: 'desk.request', reason: null },
			{ action: 'desk.extend', reason: '対象文書が多いため' }
		]);
	});

	it('takes 訂正 only within 90 days of a disclosure, and requests only from those entitled', async () => {
		const disclosure = await register({ receivedOn: '2026-08-03' }, '2026-08-03');
		expect(await refusal(register({ kind: 'correction', followsDisclosure: disclosure.id }))).toBe(
			'disclosure_required'
		);
		await database.owner
			.updateTable('desk_request')
			.set({ status: 'decided', decision: 'full', decided_on: '2026-08-14', decided_by: desk.id })
			.where('id', '=', disclosure.id)
			.execute();
		// 90 days from 15 August end on 12 November.
		expect(
			await refusal(
				register({ kind: 'correction', followsDisclosure: disclosure.id, receivedOn: '2026-11-13' })
			)
		).toBe('window_closed');
		const correction = await register({
			kind: 'correction',
			followsDisclosure: disclosure.id,
			receivedOn: '2026-11-12'
		});
		// The Act's 30 days: from 13 November, 12 December is a Saturday → Monday 14 December.
		expect(correction.deadline).toBe('2026-12-14');

		expect(await refusal(register({ requesterType: 'agent' }))).toBe('power_of_attorney_required');
		expect(
			await refusal(register({ channel: 'online', requesterType: 'legal_representative' }))
		).toBe('online_self_only');
		expect(await refusal(register({ identityDocuments: [] }))).toBe('identity_required');
		expect(await refusal(register({ receivedOn: '2026-11-24' }))).toBe('received_in_future');
		// The database holds the same rules.
		await expect(
			database.owner
				.updateTable('desk_request')
				.set({ requester_type: 'agent', power_of_attorney: false })
				.where('id', '=', correction.id)
				.execute()
		).rejects.toThrow(/check/);
	});

	it('registers one request for one form, however often and however concurrently it is sent', async () => {
		const requestKey = randomUUID();
		const sent = await Promise.all(Array.from({ length: 5 }, () => register({ requestKey })));
		expect(new Set(sent.map((row) => row.reference)).size).toBe(1);
		expect(sent.filter((row) => !row.repeated)).toHaveLength(1);
		const rows = await database.owner
			.selectFrom('desk_request')
			.select('id')
			.where('request_key', '=', requestKey)
			.execute();
		expect(rows).toHaveLength(1);
		const audited = await sql<{ n: string }>`
			SELECT count(*)::text AS n FROM audit.entry
			WHERE action = 'desk.request' AND object_id = ${rows[0]!.id}`.execute(database.owner);
		expect(audited.rows[0]!.n).toBe('1');
		// Another form is another request.
		expect((await register({ requestKey: randomUUID() })).reference).not.toBe(sent[0]!.reference);
	});

	it('lists open requests by days left, overdue first', async () => {
		const list = await openDeskRequests(database.backoffice, {
			municipalityCode: city,
			today: '2026-11-23'
		});
		expect(list.length).toBeGreaterThan(3);
		expect(list.map((row) => row.daysLeft)).toEqual(
			[...list.map((row) => row.daysLeft)].sort((a, b) => a - b)
		);
		expect(list[0]).toMatchObject({ due: '2026-11-04', overdue: true, daysLeft: -19 });
		expect(list.find((row) => row.extended)?.due).toBe('2027-01-04');
	});
});

describe('問合せ・苦情', () => {
	it('logs a complaint, keeps it open until answered, and closes it with the answer', async () => {
		const { id } = await logInquiry(database.backoffice, deskCaller, {
			inquiry: {
				kind: 'complaint',
				channel: 'phone',
				callerName: '苦情 申出人',
				subjectAtenaNumber: atena,
				subject: '予診票が届かない'
			}
		});
		expect(
			await logInquiry(database.backoffice, deskCaller, {
				inquiry: {
					kind: 'inquiry',
					channel: 'desk',
					callerName: '別人',
					subjectAtenaNumber: '999999999999999',
					subject: '?'
				}
			}).catch((failure) => (failure as InquiryError).code)
		).toBe('person_unknown');
		const close = (response: string) =>
			closeInquiry(
				database.backoffice,
				deskCaller,
				{ id, response },
				new Date('2026-11-23T03:00:00Z')
			).then(
				() => null,
				(failure) => (failure as InquiryError).code
			);
		expect(await close('  ')).toBe('response_required');
		expect((await inquiryLog(database.backoffice, deskCaller))[0]).toMatchObject({
			id,
			closedOn: null
		});
		expect(await close('再送しました')).toBe(null);
		expect(await close('もう一度')).toBe('not_open');
		expect(
			(await inquiryLog(database.backoffice, deskCaller)).find((row) => row.id === id)
		).toMatchObject({
			response: '再送しました',
			closedOn: '2026-11-23'
		});
		// The portal's database role cannot read the log at all.
		await expect(database.portal.selectFrom('inquiry').select('id').execute()).rejects.toThrow(
			/permission denied/
		);
		const { rows } = await sql<{ action: string }>`
			SELECT action FROM audit.entry WHERE object_id = ${id} ORDER BY seq`.execute(database.owner);
		expect(rows.map((row) => row.action)).toEqual(['inquiry.log', 'inquiry.close']);
	});

	it('logs one inquiry for one form, however often and however concurrently it is sent', async () => {
		const requestKey = randomUUID();
		const log = () =>
			logInquiry(database.backoffice, deskCaller, {
				inquiry: {
					kind: 'inquiry',
					channel: 'phone',
					callerName: '問合せ 二度押し',
					subjectAtenaNumber: '',
					subject: '接種券の再発行について'
				},
				requestKey
			});
		const logged = await Promise.all(Array.from({ length: 5 }, log));
		expect(new Set(logged.map((row) => row.id)).size).toBe(1);
		const { rows } = await sql<{ n: string }>`
			SELECT count(*)::text AS n FROM audit.entry
			WHERE action = 'inquiry.log' AND object_id = ${logged[0]!.id}`.execute(database.owner);
		expect(rows[0]!.n).toBe('1');
	});
});
