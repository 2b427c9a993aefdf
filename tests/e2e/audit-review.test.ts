// LOG-6 in the browser: an auditor checks the chain, finds who looked at a person, exports that
// as CSV (no 個人番号, no payloads), and records the review with findings — each step audited.
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { recordAudit } from '../../src/lib/server/audit/record';
import { findMyNumbers } from '../../src/lib/server/mynumber/check-digit';
import {
	checkpointByCli,
	createStaffByCli,
	freshResident,
	registerStaff,
	serverDatabase
} from './support';

const run = Date.now().toString(36);

test('an auditor verifies the chain, searches, exports and records a review', async ({
	browser
}) => {
	const since = new Date();
	const person = await freshResident();
	// Someone looked at this person's record.
	const lookerId = randomUUID();
	await recordAudit(serverDatabase(), {
		municipalityCode: '139998',
		actor: { type: 'staff', id: lookerId, role: 'caseworker', department: '健康増進課' },
		context: { requestId: randomUUID(), ip: '192.0.2.1', userAgent: 'test', sessionHash: null },
		action: 'resident.view',
		subjectAtenaNumber: person.atena,
		objectType: 'resident',
		objectId: person.atena,
		reason: '窓口での問合せ対応',
		result: 'ok'
	});
	const auditor = await registerStaff(
		browser,
		createStaffByCli({ role: 'auditor', login: `auditor-${run}`, name: '監査 委員' })
	);
	await auditor.goto('/staff/audit');
	// The schedule is running: no warning about stale checkpoints (issue 24, item 2).
	await expect(auditor.getByTestId('checkpoints-stale')).toHaveCount(0);
	expect(await new AxeBuilder({ page: auditor }).analyze().then((r) => r.violations)).toEqual([]);
	// A checkpoint now rather than at the next ten minutes (the server writes one at start too).
	const checkpointed = checkpointByCli();
	expect(checkpointed).toMatch(/139998: checkpoint at seq [0-9]+/);
	await auditor.getByRole('button', { name: 'いま検証する' }).click();
	await expect(auditor.getByTestId('chain-state')).toContainText('改ざんは見つかりませんでした');
	await expect(auditor.getByTestId('checkpoint-state')).toContainText(
		/署名付きチェックポイント[0-9]+件とすべて一致しました/
	);

	await auditor.getByLabel('宛名番号').fill(person.atena);
	await auditor.getByRole('button', { name: '検索', exact: true }).click();
	const rows = auditor.getByTestId('audit-rows');
	await expect(rows).toContainText('resident.view');
	await expect(rows).toContainText('窓口での問合せ対応');
	expect(await new AxeBuilder({ page: auditor }).analyze().then((r) => r.violations)).toEqual([]);

	const download = auditor.waitForEvent('download');
	await auditor.getByRole('button', { name: 'CSVで出力' }).click();
	const csv = readFileSync(await (await download).path(), 'utf8');
	const lines = csv
		.replace(/^\ufeff/, '')
		.trim()
		.split('\r\n');
	expect(lines[0]).toBe(
		'seq,occurred_at,actor_type,actor,role,department,action,atena_number,object_type,object_id,reason,result'
	);
	expect(lines.some((line) => line.includes('resident.view') && line.includes(lookerId))).toBe(
		true
	);
	expect(findMyNumbers(csv.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, ''))).toEqual([]);

	const today = new Date().toISOString().slice(0, 10);
	await auditor.getByLabel('期間（開始）').last().fill(today);
	await auditor.getByLabel('点検結果・所見').fill('不審なアクセスなし。拒否1件は入力誤り。');
	await auditor.getByRole('button', { name: '点検済みとして記録' }).click();
	await expect(auditor.getByTestId('audit-reviews')).toContainText('不審なアクセスなし');
	await expect(auditor.getByTestId('audit-reviews')).toContainText('改ざんなし');

	const auditorId = (
		await serverDatabase()
			.selectFrom('staff_user')
			.select('id')
			.where('login_id', '=', `auditor-${run}`)
			.executeTakeFirstOrThrow()
	).id;
	const actions = await serverDatabase()
		.selectFrom('audit.entry')
		.select(['action', 'result'])
		.where('actor_id', '=', auditorId)
		.where('occurred_at', '>=', since)
		.where('action', 'like', 'audit.%')
		.orderBy('seq')
		.execute();
	expect(actions.map((row) => row.action)).toEqual([
		'audit.verify',
		'audit.view',
		'audit.export',
		'audit.review'
	]);
	// Reviews cannot be rewritten afterwards.
	await expect(
		serverDatabase().updateTable('audit.review').set({ findings: 'changed' }).execute()
	).rejects.toThrow(/append-only/);

	// Caseworkers do not audit.
	const worker = await registerStaff(
		browser,
		createStaffByCli({ role: 'caseworker', login: `noaudit-${run}`, name: '監査 不可' })
	);
	expect((await worker.goto('/staff/audit'))?.status()).toBe(403);
});
