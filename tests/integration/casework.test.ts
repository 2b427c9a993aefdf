// The back office's case machine against a real PostgreSQL with the back office's role: a case
// walks new → assigned → awaiting approval → completed; whoever prepared it cannot approve it
// (refused and audited, and the database itself refuses it too); two approvals at once → one;
// a stale form changes nothing; a 差し戻し answered comes back to the same caseworker.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import {
	applyCaseAction,
	CaseError,
	machineFor,
	type CaseAction,
	type StaffActor
} from '../../src/lib/server/applications/casework';
import { queueCounts, queuePage, queues } from '../../src/lib/server/applications/queues';
import { createDraft, type Application } from '../../src/lib/server/applications/store';
import { ensureResidentAccount } from '../../src/lib/server/auth/credentials';
import { createStaffUser } from '../../src/lib/server/staff/accounts';
import { freshDatabase, type TestDatabase } from '../support/database';
import { insertTestMunicipality, insertTestResident } from '../support/fixtures';

const city = '139998';
let database: TestDatabase;
let accountId: string;
const context = { requestId: 'test', ip: null, userAgent: null, sessionHash: null };
const staff: Record<'anna' | 'ben' | 'chief' | 'deputy', StaffActor> = {} as never;

beforeAll(async () => {
	database = await freshDatabase();
	await insertTestMunicipality(database.owner, city);
	await insertTestResident(database.owner, city, '501');
	await sql`INSERT INTO role_permission (municipality_code, role_code, permission_code) VALUES
		(${city}, 'caseworker', 'application.process'), (${city}, 'caseworker', 'document.issue'),
		(${city}, 'approver', 'application.process'), (${city}, 'approver', 'application.approve')
		ON CONFLICT DO NOTHING`.execute(database.owner);
	accountId = (
		await ensureResidentAccount(database.portal, {
			municipalityCode: city,
			atenaNumber: '501',
			now: new Date()
		})
	).id;
	const people = [
		['anna', 'caseworker'],
		['ben', 'caseworker'],
		['chief', 'approver'],
		['deputy', 'approver']
	] as const;
	for (const [login, role] of people) {
		const user = await createStaffUser(database.backoffice, {
			municipalityCode: city,
			loginId: login,
			displayName: login,
			departmentJa: '健康増進課',
			departmentEn: 'Health',
			roles: [{ role, validFrom: '2020-01-01', validUntil: null }],
			createdBy: null,
			reason: 'test',
			now: new Date()
		});
		staff[login] = {
			type: 'staff',
			id: user.id,
			role,
			department: '健康増進課',
			permissions: new Set(
				role === 'approver'
					? ['application.process', 'application.approve']
					: ['application.process', 'document.issue']
			)
		};
	}
});
afterAll(() => database.close());

async function submittedCase(kind: 'certificate' | 'relief' = 'certificate'): Promise<Application> {
	const draft = await createDraft(database.portal, {
		municipalityCode: city,
		accountId,
		kind,
		now: new Date()
	});
	return database.owner
		.updateTable('application')
		.set({
			status: 'submitted',
			stage: 'new',
			current_version: 1,
			submitted_at: new Date(),
			subject_atena_number: '501'
		})
		.where('id', '=', draft.id)
		.returningAll()
		.executeTakeFirstOrThrow();
}

const act = (
	application: Application,
	actor: StaffActor,
	action: Parameters<typeof applyCaseAction>[1]['action'],
	extra: Partial<Parameters<typeof applyCaseAction>[1]> = {}
) =>
	applyCaseAction(database.backoffice, {
		application,
		actor,
		action,
		context,
		// The decision issues its documents itself; none of these cases holds a signed request, so
		// an approval issues nothing to sign and a rejection its notice.
		settings: { origin: 'https://portal.example', sealing: undefined },
		now: new Date(),
		...extra
	});

const refusal = (promise: Promise<unknown>) =>
	promise.then(
		() => null,
		(failure) => (failure instanceof CaseError ? failure.code : String(failure))
	);

async function auditRows(objectId: string) {
	const { rows } = await sql<{ action: string; result: string; actor_id: string }>`
		SELECT action, result, actor_id FROM audit.entry WHERE object_id = ${objectId} ORDER BY seq`.execute(
		database.owner
	);
	return rows;
}

describe('a relief claim outside the relief workflow (issue 24, item 3)', () => {
	it('is refused every general action, at every stage, and listed in no general queue', async () => {
		const claim = await submittedCase('relief');
		const everyone = [staff.anna!, staff.chief!];
		for (const stage of ['new', 'assigned', 'awaiting_approval', 'returned', 'completed']) {
			const staged = { ...claim, stage, assigned_to: staff.anna!.id, prepared_by: staff.ben!.id };
			for (const action of Object.keys(machineFor('certificate')) as CaseAction[]) {
				for (const actor of everyone) {
					expect(
						await refusal(
							act(staged as Application, actor, action, {
								reason: 'r',
								items: [{ step: 'subject', note: 'n' }],
								assignee: staff.ben!.id,
								outcome: 'mailed'
							})
						),
						`${action} at ${stage}`
					).toBe('wrong_workflow');
				}
			}
		}
		const unchanged = await database.owner
			.selectFrom('application')
			.select(['stage', 'status'])
			.where('id', '=', claim.id)
			.executeTakeFirstOrThrow();
		expect(unchanged).toEqual({ stage: 'new', status: 'submitted' });
		for (const queue of queues) {
			const page = await queuePage(database.backoffice, {
				municipalityCode: city,
				staffId: staff.anna!.id,
				queue,
				kind: '',
				sort: 'received',
				after: '',
				today: '2099-01-01'
			});
			expect(page.rows.map((row) => row.id)).not.toContain(claim.id);
		}
		const counted = await queueCounts(database.backoffice, {
			municipalityCode: city,
			staffId: staff.anna!.id,
			kind: 'relief',
			today: '2099-01-01'
		});
		expect(Object.values(counted).every((count) => count === 0)).toBe(true);
	});
});

describe('the case machine in the database', () => {
	it('walks a case to completion with a second person approving, and audits each step', async () => {
		let application = await submittedCase();
		application = await act(application, staff.anna, 'assign');
		expect(application).toMatchObject({ stage: 'assigned', status: 'in_review' });
		expect(application.assigned_to).toBe(staff.anna.id);
		// Ben may not prepare Anna's case.
		expect(await refusal(act(application, staff.ben, 'prepare'))).toBe('not_assignee');
		application = await act(application, staff.anna, 'prepare');
		expect(application).toMatchObject({ stage: 'awaiting_approval', prepared_by: staff.anna.id });
		// A caseworker has no right to approve at all.
		expect(await refusal(act(application, staff.anna, 'approve'))).toBe('forbidden');
		application = await act(application, staff.chief, 'approve');
		expect(application).toMatchObject({
			stage: 'completed',
			status: 'completed',
			approved_by: staff.chief.id
		});
		application = await act(application, staff.anna, 'record_issue', { outcome: 'mailed' });
		expect(application.issue_outcome).toBe('mailed');
		const rows = await auditRows(application.id);
		expect(rows.map((row) => `${row.action}:${row.result}`)).toEqual([
			'application.assign:ok',
			'application.prepare:denied',
			'application.prepare:ok',
			'application.approve:denied',
			'application.approve:ok',
			'application.issue:ok'
		]);
		const history = await database.owner
			.selectFrom('application_transition')
			.select(['action', 'stage', 'actor_id'])
			.where('application_id', '=', application.id)
			.orderBy('id')
			.execute();
		expect(history.map((row) => row.action)).toEqual([
			'assign',
			'prepare',
			'approve',
			'record_issue'
		]);
		const notice = await database.owner
			.selectFrom('resident_notice')
			.select('kind')
			.where('application_id', '=', application.id)
			.execute();
		expect(notice.map((row) => row.kind)).toEqual(['application_updated']);
	});

	it('refuses an approver approving their own preparation — in code and in the database', async () => {
		let application = await submittedCase();
		application = await act(application, staff.chief, 'assign');
		application = await act(application, staff.chief, 'prepare');
		expect(await refusal(act(application, staff.chief, 'approve'))).toBe('maker_checker');
		const denied = (await auditRows(application.id)).filter((row) => row.result === 'denied');
		expect(denied).toEqual([
			{ action: 'application.approve', result: 'denied', actor_id: staff.chief.id }
		]);
		// Even a write that skipped the domain layer could not record it.
		await expect(
			database.owner
				.updateTable('application')
				.set({ approved_by: staff.chief.id })
				.where('id', '=', application.id)
				.execute()
		).rejects.toThrow(/application_checker_check/);
		application = await act(application, staff.deputy, 'approve');
		expect(application.stage).toBe('completed');
	});

	it('lets exactly one of two concurrent approvals win', async () => {
		let application = await submittedCase();
		application = await act(application, staff.anna, 'assign');
		application = await act(application, staff.anna, 'prepare');
		const results = await Promise.all([
			refusal(act(application, staff.chief, 'approve')),
			refusal(act(application, staff.deputy, 'approve'))
		]);
		expect(results.sort()).toEqual(['conflict', null].sort());
		const approvals = await database.owner
			.selectFrom('application_transition')
			.select('id')
			.where('application_id', '=', application.id)
			.where('action', '=', 'approve')
			.execute();
		expect(approvals).toHaveLength(1);
	});

	it('changes nothing from a stale view', async () => {
		const seen = await submittedCase();
		await act(seen, staff.anna, 'assign');
		// Ben saw the case before Anna took it.
		expect(await refusal(act(seen, staff.ben, 'assign'))).toBe('conflict');
		const now = await database.owner
			.selectFrom('application')
			.select('assigned_to')
			.where('id', '=', seen.id)
			.executeTakeFirstOrThrow();
		expect(now.assigned_to).toBe(staff.anna.id);
		// Someone without the right is refused as such, whatever version their request names.
		expect(
			await refusal(act(seen, staff.anna, 'approve', { seenUpdatedAt: '2000-01-01T00:00:00.000Z' }))
		).toBe('forbidden');
	});

	it('returns with items, sends back a preparation, reassigns only with an approver', async () => {
		let application = await submittedCase();
		application = await act(application, staff.anna, 'assign');
		expect(await refusal(act(application, staff.anna, 'return', { reason: 'r', items: [] }))).toBe(
			'items_required'
		);
		application = await act(application, staff.anna, 'prepare');
		expect(await refusal(act(application, staff.chief, 'send_back'))).toBe('reason_required');
		application = await act(application, staff.chief, 'send_back', { reason: '記載漏れ' });
		expect(application).toMatchObject({ stage: 'assigned', prepared_by: null });
		expect(
			await refusal(
				act(application, staff.anna, 'reassign', { reason: '異動', assignee: staff.ben.id })
			)
		).toBe('forbidden');
		expect(
			await refusal(
				act(application, staff.chief, 'reassign', { reason: '異動', assignee: accountId })
			)
		).toBe('assignee_required');
		application = await act(application, staff.chief, 'reassign', {
			reason: '異動',
			assignee: staff.ben.id
		});
		expect(application.assigned_to).toBe(staff.ben.id);
		application = await act(application, staff.ben, 'return', {
			reason: '確認のため',
			items: [{ step: 'passport', note: '名が違います' }]
		});
		expect(application).toMatchObject({ stage: 'returned', status: 'returned' });
		expect(application.return_items).toEqual([{ step: 'passport', note: '名が違います' }]);
		expect(await refusal(act(application, staff.chief, 'reject', { reason: 'x' }))).toBe(
			'wrong_stage'
		);
	});
});
