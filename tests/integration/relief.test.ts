// 健康被害救済 cases (issue 7) against a real PostgreSQL: an A類 医療費・医療手当 claim and a B類
// 遺族年金 claim walked through every stage by relief officers — a 差し戻し for a missing 領収書,
// 進達 and the decision each prepared by one officer and approved by another, payments (one-off
// and quarterly pension instalments, suspended on the recipient's death), appeals within and
// after the three months — with refusals for other roles, the same person and stale pages.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoCity } from '../../src/lib/server/demo/load';
import {
	applyReliefAction,
	catalogueAmount,
	openAtDesk,
	openFromApplication,
	ReliefError,
	type ReliefAction,
	type ReliefInput
} from '../../src/lib/server/relief/cases';
import { findMyNumbers } from '../../src/lib/server/mynumber/check-digit';
import { paymentsCsv } from '../../src/lib/server/relief/payments';
import { createDraft, withdrawable } from '../../src/lib/server/applications/store';
import { createStaffUser } from '../../src/lib/server/staff/accounts';
import { tokyoDate } from '../../src/lib/server/time';
import { freshDatabase, type TestDatabase } from '../support/database';
import { softResident } from '../support/soft-authenticator';

const city = '139998';
const today = '2026-11-23';
const relief = new Set(['relief.handle', 'resident.read']);
const first = {
	type: 'staff' as const,
	id: 'relief-1',
	role: 'relief_officer',
	department: null,
	permissions: relief
};
const second = { ...first, id: 'relief-2' };
const caseworker = {
	...first,
	id: 'caseworker-1',
	role: 'caseworker',
	permissions: new Set(['application.process', 'resident.read'])
};
let database: TestDatabase;
let people: string[];

beforeAll(async () => {
	database = await freshDatabase();
	await loadDemoCity(database.owner, {
		seed: 'relief',
		residents: 120,
		asOf: '2026-11-01',
		myNumberKey: { id: 'test', key: randomBytes(32) }
	});
	const { rows } = await sql<{ atena_number: string }>`
		SELECT atena_number FROM resident WHERE status = 'resident' ORDER BY atena_number LIMIT 3`.execute(
		database.owner
	);
	people = rows.map((row) => row.atena_number);
});
afterAll(() => database.close());

const act = (
	caseId: string,
	action: ReliefAction,
	values: ReliefInput = {},
	actor: typeof first = first,
	seenVersion?: number
) =>
	applyReliefAction(database.backoffice, {
		caseId,
		municipalityCode: city,
		action,
		values,
		actor,
		seenVersion,
		now: new Date(),
		today
	});
const refusal = (promise: Promise<unknown>) =>
	promise.then(
		() => null,
		(failure) => (failure instanceof ReliefError ? failure.code : String(failure))
	);
const caseRow = (id: string) =>
	database.owner
		.selectFrom('relief_case')
		.selectAll()
		.where('id', '=', id)
		.executeTakeFirstOrThrow();
const account = {
	bankCode: '0009',
	branchCode: '123',
	type: 'ordinary' as const,
	number: '1234567',
	holderKana: 'タカハシ ハナコ'
};

describe('an A類 医療費・医療手当 claim', () => {
	it('goes from 受付 to 終結 with a 差し戻し, two-person 進達 and decision, payments and an appeal', async () => {
		const { id } = await openAtDesk(database.backoffice, {
			municipalityCode: city,
			subjectAtenaNumber: people[0]!,
			claimantName: '髙橋 花子',
			category: 'A',
			benefits: ['medical_expenses', 'medical_allowance'],
			receivedOn: '2026-06-01',
			missingDocuments: [],
			actor: first,
			now: new Date()
		});
		expect(await refusal(act(id, 'start_check', {}, caseworker))).toBe('forbidden');
		expect(await act(id, 'start_check')).toBe('document_check');
		// The 領収書 are missing: an itemised request, with a note the family will read.
		expect(await refusal(act(id, 'request_documents', { items: [] }))).toBe('items_required');
		expect(
			await act(id, 'request_documents', {
				items: ['receipts'],
				publicNote: '医療費の領収書（原本）をお送りください。',
				internalNote: '病院に電話で確認済み'
			})
		).toBe('awaiting_documents');
		expect((await caseRow(id)).missing_documents).toEqual(['receipts']);
		expect(await refusal(act(id, 'to_committee', { date: '2026-07-01' }))).toBe('wrong_stage');
		expect(await act(id, 'documents_received')).toBe('document_check');
		expect((await caseRow(id)).missing_documents).toEqual([]);
		expect(await act(id, 'to_committee', { date: '2026-07-10' })).toBe('committee');
		expect(await refusal(act(id, 'prepare_forward', { minutes: '第3回' }))).toBe(
			'committee_required'
		);
		expect(
			await act(id, 'prepare_forward', {
				minutes: '令和8年度第3回議事録',
				opinion: '因果関係を否定できない'
			})
		).toBe('forward_pending');
		// 進達: not by whoever prepared it — in code, and in the database.
		expect(await refusal(act(id, 'approve_forward', { date: '2026-07-20' }))).toBe('same_person');
		await expect(
			database.owner
				.updateTable('relief_case')
				.set({ forward_approved_by: first.id })
				.where('id', '=', id)
				.execute()
		).rejects.toThrow(/check/);
		expect(await act(id, 'approve_forward', { date: '2026-07-20' }, second)).toBe('forwarded');
		const letter = await database.owner
			.selectFrom('issued_document')
			.select(['kind', 'released_at', 'issued_by', 'approved_by'])
			.where('id', '=', (await caseRow(id)).forward_letter_id!)
			.executeTakeFirstOrThrow();
		expect(letter).toEqual({
			kind: 'relief_forward',
			released_at: null,
			issued_by: first.id,
			approved_by: second.id
		});
		expect(await act(id, 'to_ministry', { date: '2026-08-01' })).toBe('national_review');
		expect(
			await act(id, 'record_certification', {
				certification: 'certified',
				date: '2026-10-15',
				reference: '厚生労働省発健1015第2号'
			})
		).toBe('certified');
		expect(await act(id, 'prepare_decision', {}, second)).toBe('decision_pending');
		expect(await refusal(act(id, 'approve_decision', { date: '2026-10-20' }, second))).toBe(
			'same_person'
		);
		// A page showing an older version changes nothing.
		const stale = (await caseRow(id)).version - 1;
		expect(await refusal(act(id, 'approve_decision', { date: '2026-10-20' }, first, stale))).toBe(
			'conflict'
		);
		expect(await act(id, 'approve_decision', { date: '2026-10-20' }, first)).toBe('decided_pay');
		const decision = await caseRow(id);
		expect(decision).toMatchObject({ decision: 'pay', decided_on: '2026-10-20' });

		// Payments need a valid account first.
		expect(
			await refusal(
				act(id, 'start_payments', { payments: [{ benefit: 'medical_expenses', amountYen: 82340 }] })
			)
		).toBe('account_required');
		expect(
			await refusal(act(id, 'set_account', { account: { ...account, holderKana: 'Takahashi' } }))
		).toBe('account_invalid');
		expect(await act(id, 'set_account', { account })).toBe('decided_pay');
		expect(
			await act(id, 'start_payments', {
				payments: [
					{ benefit: 'medical_expenses', amountYen: 82340 },
					{ benefit: 'medical_allowance' }
				]
			})
		).toBe('paying');
		const payments = await database.owner
			.selectFrom('relief_payment')
			.select(['id', 'benefit_code', 'amount_yen'])
			.where('case_id', '=', id)
			.orderBy('id')
			.execute();
		// 医療手当 from the catalogue amount in force on the decision date.
		expect(payments.map((row) => [row.benefit_code, row.amount_yen])).toEqual([
			['medical_expenses', 82340],
			['medical_allowance', 38900]
		]);

		// The family appeals the allowance amount within three months; it is upheld.
		expect(await act(id, 'file_appeal', { date: '2026-11-10' })).toBe('appeal');
		expect(await refusal(act(id, 'decide_appeal', { date: '2026-11-20' }))).toBe(
			'outcome_required'
		);
		expect(await act(id, 'decide_appeal', { date: '2026-11-20', appealOutcome: 'upheld' })).toBe(
			'appeal_decided'
		);
		expect(await refusal(act(id, 'close'))).toBe('payments_open');
		for (const payment of payments) {
			await act(id, 'record_payment', { paymentId: String(payment.id), date: '2026-11-21' });
		}
		expect(await act(id, 'close')).toBe('closed');
		expect(await refusal(act(id, 'note', { internalNote: 'x' }))).toBe('wrong_stage');

		// The resident's timeline reads public notes; the portal's role cannot read internal ones.
		const timeline = await database.portal
			.selectFrom('relief_event')
			.select(['action', 'public_note'])
			.where('case_id', '=', id)
			.orderBy('id')
			.execute();
		expect(timeline.find((row) => row.action === 'request_documents')?.public_note).toBe(
			'医療費の領収書（原本）をお送りください。'
		);
		await expect(
			database.portal.selectFrom('relief_event').select('internal_note').execute()
		).rejects.toThrow(/permission denied/);
		await expect(
			database.portal.selectFrom('relief_case').select('account_number').execute()
		).rejects.toThrow(/permission denied/);
		const { rows } = await sql<{ result: string; n: number }>`
			SELECT result, count(*)::int AS n FROM audit.entry WHERE object_id = ${id}
				AND action = 'relief.action' GROUP BY result ORDER BY result`.execute(database.owner);
		expect(rows).toEqual([
			{ result: 'denied', n: 12 },
			{ result: 'ok', n: 18 }
		]);
	});
});

describe('a B類 遺族年金 claim', () => {
	it('pays quarterly instalments and suspends them on the recipient’s death', async () => {
		const { id } = await openAtDesk(database.backoffice, {
			municipalityCode: city,
			subjectAtenaNumber: people[1]!,
			claimantName: '遺族 太郎',
			category: 'B',
			benefits: ['survivor_pension', 'funeral_expenses'],
			receivedOn: '2026-03-02',
			missingDocuments: ['family_register'],
			actor: first,
			now: new Date()
		});
		await act(id, 'start_check');
		await act(id, 'request_documents', {
			items: ['family_register'],
			publicNote: '戸籍謄本をお送りください。'
		});
		await act(id, 'documents_received');
		await act(id, 'to_committee', { date: '2026-04-10' });
		await act(
			id,
			'prepare_forward',
			{ minutes: '第1回', opinion: '因果関係を否定できない' },
			second
		);
		await act(id, 'approve_forward', { date: '2026-04-20' }, first);
		await act(id, 'to_ministry', { date: '2026-05-01' });
		await act(id, 'record_certification', {
			certification: 'certified',
			date: '2026-08-31',
			reference: '第77号'
		});
		await act(id, 'prepare_decision');
		expect(await act(id, 'approve_decision', { date: '2026-09-10' }, second)).toBe('decided_pay');
		await act(id, 'set_account', { account: { ...account, holderKana: 'イゾク タロウ' } });
		await act(id, 'start_payments', {
			payments: [
				{ benefit: 'survivor_pension', until: '2036-09-30' },
				{ benefit: 'funeral_expenses' }
			]
		});
		const payments = await database.owner
			.selectFrom('relief_payment')
			.select([
				'id',
				'benefit_code',
				'period_from',
				'period_until',
				'due_on',
				'amount_yen',
				'status'
			])
			.where('case_id', '=', id)
			.orderBy('due_on')
			.orderBy('id')
			.execute();
		const pension = payments.filter((row) => row.benefit_code === 'survivor_pension');
		// From the month after the decision, three months at a time, due the 15th of the next month.
		expect(pension[0]).toMatchObject({
			period_from: '2026-10-01',
			period_until: '2026-12-31',
			due_on: '2027-01-15',
			amount_yen: 652200
		});
		expect(pension).toHaveLength(40);
		// The finance system's export: the instalments due, with the account, and no 個人番号.
		const { csv, rows } = await paymentsCsv(database.backoffice, {
			municipalityCode: city,
			from: '2026-01-01',
			until: '2027-12-31'
		});
		expect(rows).toBe(5);
		const lines = csv
			.replace(/^\uFEFF/, '')
			.trim()
			.split('\r\n');
		expect(lines[0]).toBe(
			'支払番号,案件ID,支払予定日,給付,対象期間開始,対象期間終了,金額,金融機関コード,支店コード,預金種目,口座番号,口座名義'
		);
		expect(lines.find((line) => line.includes(',2026-10-01,'))).toContain(
			',2027-01-15,遺族年金,2026-10-01,2026-12-31,652200,0009,123,1,1234567,イゾク タロウ'
		);
		expect(lines.find((line) => line.includes('葬祭料'))).toContain(',221000,');
		expect(findMyNumbers(csv)).toEqual([]);
		expect(payments.find((row) => row.benefit_code === 'funeral_expenses')?.amount_yen).toBe(
			221000
		);
		for (const payment of [
			payments.find((row) => row.benefit_code === 'funeral_expenses')!,
			pension[0]!
		]) {
			await act(id, 'record_payment', { paymentId: String(payment.id), date: '2026-11-20' });
		}
		expect(await refusal(act(id, 'close'))).toBe('payments_open');
		expect(await refusal(act(id, 'suspend_payments', { date: '2027-02-01' }))).toBe(
			'note_required'
		);
		await act(id, 'suspend_payments', {
			date: '2027-02-01',
			reason: '受給者の死亡（2027年1月20日）'
		});
		const after = await database.owner
			.selectFrom('relief_payment')
			.select(['status'])
			.where('case_id', '=', id)
			.execute();
		expect(after.filter((row) => row.status === 'suspended')).toHaveLength(39);
		expect(await act(id, 'close')).toBe('closed');
	});

	it('takes an appeal only within three months of the decision', async () => {
		const { id } = await openAtDesk(database.backoffice, {
			municipalityCode: city,
			subjectAtenaNumber: people[2]!,
			claimantName: '請求 次郎',
			category: 'B',
			benefits: ['survivor_lump_sum'],
			receivedOn: '2026-01-05',
			missingDocuments: [],
			actor: first,
			now: new Date()
		});
		await act(id, 'start_check');
		await act(id, 'to_committee', { date: '2026-02-01' });
		await act(id, 'prepare_forward', { minutes: '第2回', opinion: '因果関係は認め難い' });
		await act(id, 'approve_forward', { date: '2026-02-10' }, second);
		await act(id, 'to_ministry', { date: '2026-02-20' });
		expect(
			await act(id, 'record_certification', {
				certification: 'denied',
				date: '2026-07-31',
				reference: '第12号'
			})
		).toBe('denied');
		await act(id, 'prepare_decision', {}, second);
		// Decided on 31 July: the three months end on 31 October.
		expect(await act(id, 'approve_decision', { date: '2026-07-31' })).toBe('decided_not_pay');
		expect(await refusal(act(id, 'file_appeal', { date: '2026-11-01' }))).toBe('appeal_late');
		expect(await act(id, 'file_appeal', { date: '2026-10-31' })).toBe('appeal');
		expect(
			await act(id, 'decide_appeal', { date: '2026-11-20', appealOutcome: 'overturned' })
		).toBe('appeal_decided');
		expect(await act(id, 'close')).toBe('closed');
		const notice = await database.owner
			.selectFrom('issued_document')
			.select(['kind', 'released_at'])
			.where('id', '=', (await caseRow(id)).decision_document_id!)
			.executeTakeFirstOrThrow();
		expect(notice).toEqual({ kind: 'notice', released_at: null });
	});
});

describe('amounts as data', () => {
	it('uses the amount in force on the date, and a new fiscal year’s row from its start', async () => {
		await database.owner
			.insertInto('relief_benefit_amount')
			.values({
				benefit_code: 'medical_allowance',
				category: 'A',
				grade: '',
				effective_from: '2027-04-01',
				amount_yen: 39300,
				unit: 'month'
			})
			.execute();
		const on = (date: string) =>
			catalogueAmount(database.backoffice, 'medical_allowance', 'A', '', date);
		expect(await on('2027-03-31')).toBe(38900);
		expect(await on('2027-04-01')).toBe(39300);
		// 臨時接種 follows A類 amounts; nothing in force before the first row.
		expect(
			await catalogueAmount(database.backoffice, 'medical_allowance', 'temporary', '', '2027-05-01')
		).toBe(39300);
		expect(await on('2024-01-01')).toBe(null);
	});
});

describe('claim limits', () => {
	it('records what each limit runs from, refuses dates that cannot be, and keeps them from the portal', async () => {
		const { id } = await openAtDesk(database.backoffice, {
			municipalityCode: city,
			subjectAtenaNumber: people[2]!,
			claimantName: '期限 花子',
			category: 'A',
			benefits: ['medical_expenses', 'medical_allowance'],
			receivedOn: '2026-06-01',
			missingDocuments: [],
			actor: first,
			now: new Date()
		});
		expect(
			await refusal(
				act(id, 'record_claim_events', { claimEvents: { costsPaidFrom: '2026-06-02' } })
			)
		).toBe('event_after_claim');
		expect(
			await refusal(
				act(id, 'record_claim_events', { claimEvents: { diedOn: '2026-11-23' } }, caseworker)
			)
		).toBe('forbidden');
		expect(
			await act(id, 'record_claim_events', {
				claimEvents: { costsPaidFrom: '2021-05-20', treatmentFrom: '2021-06-01' }
			})
		).toBe('received');
		const row = await caseRow(id);
		expect([row.costs_paid_from, row.treatment_from, row.died_on]).toEqual([
			'2021-05-20',
			'2021-06-01',
			null
		]);
		// A later death is added without touching what was recorded before.
		await act(id, 'record_claim_events', { claimEvents: { diedOn: '2026-11-20' } });
		expect((await caseRow(id)).costs_paid_from).toBe('2021-05-20');
		expect((await caseRow(id)).died_on).toBe('2026-11-20');
		// The database holds the rule too.
		await expect(
			database.owner
				.updateTable('relief_case')
				.set({ treatment_from: '2026-07-01' })
				.where('id', '=', id)
				.execute()
		).rejects.toThrow(/relief_case_events_before_claim/);
		await expect(
			database.portal.selectFrom('relief_case').select('died_on').execute()
		).rejects.toThrow(/permission denied/);
		// The audit says which dates were recorded, never the dates of someone's death or treatment.
		const { rows } = await sql<{ result: string; payload: Record<string, unknown> }>`
			SELECT e.result, p.payload FROM audit.entry e
				JOIN audit.payload p USING (municipality_code, seq)
				WHERE e.object_id = ${id} AND e.action = 'relief.action' ORDER BY e.seq`.execute(database.owner);
		expect(
			rows.map((entry) => [entry.result, entry.payload.action, entry.payload.refused])
		).toEqual([
			['ok', 'open', undefined],
			['denied', 'record_claim_events', 'event_after_claim'],
			['denied', 'record_claim_events', 'forbidden'],
			['ok', 'record_claim_events', undefined],
			['ok', 'record_claim_events', undefined]
		]);
		expect(JSON.stringify(rows)).not.toMatch(/2021-05-20|2026-11-20/);
	});
});

describe('the 受付日 of a claim sent from the portal', () => {
	// Claim limits and the statutory clocks count from this date; before 09:00 JST the UTC date
	// is the day before (issue 25, item 4).
	it('is the date in Japan when the claim was sent, at 00:30, 04:46 and 23:30 JST', async () => {
		const { accountId, credentialRowId } = await softResident(database.owner, {
			municipalityCode: city,
			atenaNumber: people[2]!
		});
		const officer = await createStaffUser(database.backoffice, {
			municipalityCode: city,
			loginId: 'relief-intake',
			displayName: 'relief intake',
			departmentJa: '健康増進課',
			departmentEn: 'Health',
			roles: [{ role: 'relief_officer', validFrom: '2020-01-01', validUntil: null }],
			createdBy: null,
			reason: 'test',
			now: new Date()
		});
		const sent: [string, string][] = [
			['2026-12-04T15:30:00Z', '2026-12-05'],
			['2026-12-04T19:46:00Z', '2026-12-05'],
			['2026-12-05T14:30:00Z', '2026-12-05']
		];
		for (const [instant, inJapan] of sent) {
			const at = new Date(instant);
			const draft = await createDraft(database.portal, {
				municipalityCode: city,
				accountId,
				kind: 'relief',
				now: at
			});
			const payload = JSON.stringify({
				vaccination_type: 'routine_a',
				benefits: ['medical_expenses']
			});
			// What the signed submission leaves behind; the signature itself is not read here.
			const act = await database.owner
				.insertInto('signed_act')
				.values({
					municipality_code: city,
					resident_account_id: accountId,
					credential_id: credentialRowId,
					kind: 'submit',
					payload,
					digest: Buffer.alloc(32),
					nonce: randomBytes(32),
					authenticator_data: Buffer.alloc(37),
					client_data_json: Buffer.from('{}'),
					signature: Buffer.alloc(64),
					origin: 'https://example.test',
					rp_id: 'example.test',
					user_handle: null,
					signed_at: at
				})
				.returning('id')
				.executeTakeFirstOrThrow();
			await database.owner
				.insertInto('application_version')
				.values({
					application_id: draft.id,
					version: 1,
					payload,
					signed_act_id: act.id,
					created_at: at
				})
				.execute();
			await database.owner
				.updateTable('application')
				.set({
					status: 'submitted',
					stage: 'new',
					current_version: 1,
					submitted_at: at,
					subject_atena_number: people[2]!
				})
				.where('id', '=', draft.id)
				.execute();
			const opened = await openFromApplication(database.backoffice, {
				applicationId: draft.id,
				actor: { ...first, id: officer.id },
				// The officer opens it hours later, on the next day in UTC as well as in Japan.
				now: new Date(at.getTime() + 20 * 3_600_000),
				today: tokyoDate(new Date(at.getTime() + 20 * 3_600_000))
			});
			expect((await caseRow(opened.id)).received_on, instant).toBe(inJapan);
			// Withdrawal is offered until a decision, never once the city pays (issue 25).
			const application = () =>
				database.owner
					.selectFrom('application')
					.selectAll()
					.where('id', '=', draft.id)
					.executeTakeFirstOrThrow();
			expect(await withdrawable(database.portal, await application())).toBe(true);
			await database.owner
				.updateTable('relief_case')
				.set({ stage: 'paying' })
				.where('id', '=', opened.id)
				.execute();
			expect(await withdrawable(database.portal, await application())).toBe(false);
		}
	});
});
