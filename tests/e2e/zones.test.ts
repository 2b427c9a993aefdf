// The two zones in the running app (issue 27, docs/zones.md): a consent signed in the browser
// travels to the back office through the exchange and is given once taken in; items a
// compromised portal writes straight into its own database are refused by the back office's
// running pull, the resident's page says a forged submission was not received, and the auditor
// finds them listed with the reason.
import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { randomUUID } from 'node:crypto';
import { createDraft } from '../../src/lib/server/applications/store';
import { issueLetterCode } from '../../src/lib/server/auth/enrolment';
import { actOnTheWire } from '../../src/lib/server/exchange/items';
import {
	addAuthenticator,
	createStaffByCli,
	freshResident,
	portalZoneDatabase,
	registerStaff,
	serverDatabase
} from './support';

const city = '139998';
const run = Date.now().toString(36);

test('a consent crosses the exchange, and a forged one is refused and shown to the auditor', async ({
	page,
	browser
}) => {
	test.slow();
	const person = await freshResident();
	const { code } = await issueLetterCode(serverDatabase(), {
		municipalityCode: city,
		atenaNumber: person.atena,
		issuedBy: null,
		now: new Date()
	});
	await addAuthenticator(page);
	await page.goto('/enrol');
	await page.getByLabel('登録コード').fill(code);
	await page.getByLabel('生年月日').fill(person.birthDate);
	await page.getByRole('button', { name: '次へ進む' }).click();
	await page.getByRole('button', { name: 'パスキーを登録する' }).click();
	await expect(page).toHaveURL(/\/home\?welcome=1$/);

	// Signed on the portal, sent, and given once the back office has taken it in.
	await page.getByRole('button', { name: 'パスキーで署名して同意する' }).click();
	await expect(page.getByTestId('consent-status')).toContainText('署名して同意しました');
	const zone = portalZoneDatabase();
	const account = await serverDatabase()
		.selectFrom('resident_account')
		.select('id')
		.where('atena_number', '=', person.atena)
		.executeTakeFirstOrThrow();
	const genuine = await zone
		.selectFrom('exchange_item')
		.select(['seq', 'body', 'outcome'])
		.where('resident_account_id', '=', account.id)
		.executeTakeFirstOrThrow();
	expect(genuine.outcome).toBe('applied');
	// Taken in, the item keeps its receipt only: the portal zone no longer holds the act.
	expect(genuine.body).toEqual({});

	// A compromised portal, which saw the act as it passed (here read back from the back office's
	// copy), changes what was signed, and claims the act for a stranger.
	const stored = await serverDatabase()
		.selectFrom('signed_act as s')
		.innerJoin('webauthn_credential as c', 'c.id', 's.credential_id')
		.selectAll('s')
		.select('c.credential_id as webauthn_id')
		.where('s.resident_account_id', '=', account.id)
		.executeTakeFirstOrThrow();
	const act = actOnTheWire(
		'consent',
		{
			credentialId: stored.webauthn_id,
			payload: stored.payload,
			nonce: stored.nonce,
			clientDataJSON: stored.client_data_json,
			authenticatorData: stored.authenticator_data,
			signature: stored.signature,
			userHandle: stored.user_handle,
			origin: stored.origin,
			rpId: stored.rp_id
		},
		stored.signed_at
	);
	const forged = await zone
		.insertInto('exchange_item')
		.values([
			{
				kind: 'consent',
				resident_account_id: account.id,
				body: JSON.stringify({
					act: { ...act, payload: act.payload.replace('electronic_notices', 'paper') }
				})
			},
			{
				kind: 'consent',
				resident_account_id: randomUUID(),
				body: JSON.stringify({ act })
			}
		])
		.returning('seq')
		.execute();
	const seqs = forged.map((row) => String(row.seq));
	await expect
		.poll(
			async () =>
				(
					await zone
						.selectFrom('exchange_item')
						.select('outcome')
						.where('seq', 'in', seqs)
						.execute()
				).map((row) => row.outcome),
			{ timeout: 15_000 }
		)
		.toEqual(['refused', 'refused']);
	// Nothing of them applied: the resident still has the one consent they signed.
	const acts = await serverDatabase()
		.selectFrom('signed_act')
		.select('id')
		.where('resident_account_id', '=', account.id)
		.execute();
	expect(acts).toHaveLength(1);
	// The resident's page still says what they did themselves.
	await page.reload();
	await expect(page.getByTestId('consent-status')).toContainText('署名して同意しました');

	// A submission a compromised portal forges for the resident's draft: the application's page
	// follows it ("the city is receiving it", asked again each second) until the back office has
	// refused it, then says it was not received and offers to send it again.
	const draft = await createDraft(serverDatabase(), {
		municipalityCode: city,
		accountId: account.id,
		kind: 'reissue',
		now: new Date()
	});
	const forgedSubmission = await zone
		.insertInto('exchange_item')
		.values({
			kind: 'submit',
			resident_account_id: account.id,
			object_id: draft.id,
			body: JSON.stringify({ act: { ...act, kind: 'submit' } })
		})
		.returning('seq')
		.executeTakeFirstOrThrow();
	seqs.push(String(forgedSubmission.seq));
	await page.goto(`/applications/${draft.id}`);
	const refusedSubmission = page.getByTestId('exchange-refused');
	await expect(refusedSubmission).toContainText('受け付けられませんでした');
	await expect(page.getByTestId('status')).toHaveText('下書き');
	await expect(page.getByRole('link', { name: '続きから入力する' })).toBeVisible();
	expect(await new AxeBuilder({ page }).analyze().then((r) => r.violations)).toEqual([]);

	const auditor = await registerStaff(
		browser,
		createStaffByCli({ role: 'auditor', login: `zones-auditor-${run}`, name: '監査 委員' })
	);
	await auditor.goto('/staff/audit');
	const refusals = auditor.getByTestId('exchange-refusals');
	for (const seq of seqs)
		await expect(refusals.getByRole('cell', { name: seq, exact: true })).toBeVisible();
	await expect(refusals).toContainText('署名が検証できない');
	await expect(refusals).toContainText('存在しないアカウント');
	await expect(refusals).toContainText('既に受け付けた署名の再送');
	expect(await new AxeBuilder({ page: auditor }).analyze().then((r) => r.violations)).toEqual([]);
	await auditor.context().close();
});
