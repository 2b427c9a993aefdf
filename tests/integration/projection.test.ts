// The projection (issue 27, docs/zones.md): what the portal shows a resident is published by the
// back office into the portal zone's own database and read from there — the portal's pages never
// read the back office's. Over real HTTP with real signatures: triggers mark what a change
// touched whatever wrote it, a round sends it under a higher version, a copy sent twice or late
// changes nothing, a round that cannot reach the portal keeps its marks, and the views the portal
// reports are audited inside.
import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResidentCaller } from '../../src/lib/server/audit/caller';
import { ed25519Signer, parsePublicKeys, publicKeyText } from '../../src/lib/server/crypto/ed25519';
import { demoMunicipality } from '../../src/lib/server/demo/city';
import { loadDemoCity } from '../../src/lib/server/demo/load';
import { residentDocument, residentDocuments } from '../../src/lib/server/documents/issued';
import { notify } from '../../src/lib/server/notifications/notices';
import {
	publishTo,
	pullOnce,
	startExchange,
	type ExchangePeer
} from '../../src/lib/server/exchange/client';
import { representedPeople, vaccinationRecords } from '../../src/lib/server/residents/household';
import {
	householdDashboard,
	personRecord,
	personAccessLog,
	ProjectionPending,
	reportViews
} from '../../src/lib/server/residents/people';
import { recordAudits } from '../../src/lib/server/audit/record';
import { createStaffUser } from '../../src/lib/server/staff/accounts';
import { accessEntriesPublished } from '../../src/lib/server/zone/shapes';
import { applicationList, sentApplicationPage } from '../../src/lib/server/applications/sent';
import { createDraft } from '../../src/lib/server/applications/store';
import { addDays, tokyoDate } from '../../src/lib/server/time';
import { onlineRequestToSign, ownDeskRequests } from '../../src/lib/server/desk/online';
import { findServedMunicipality } from '../../src/lib/server/municipality';
import { publishedCity } from '../../src/lib/server/municipality/projection';
import { applyProjection } from '../../src/lib/server/zone/projection';
import {
	publishRound,
	PublicationRefused,
	retrySetAsideMs,
	setAsideDue
} from '../../src/lib/server/exchange/publish';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ProjectionChange } from '../../src/lib/server/zone/shapes';
import { serveExchange } from '../../scripts/lib/exchange-server';
import {
	freshDatabase,
	freshPortalZone,
	type TestDatabase,
	type TestPortalZone
} from '../support/database';
import { residentWithCredential } from '../support/fixtures';
import { staffCaller } from '../support/callers';
import { exchangeWarning } from '../../src/lib/server/exchange/standing';

const city = demoMunicipality.municipality_code;
const backOfficeKey = ed25519Signer({ id: 'bo2026', key: randomBytes(32) });
let database: TestDatabase;
let zone: TestPortalZone;
let server: Awaited<ReturnType<typeof serveExchange>>;
let peer: ExchangePeer;
let guardian: ResidentCaller;
let child: { atena: string; name: string; until: string };

const marksOf = async (accountId: string) =>
	(
		await database.owner
			.selectFrom('projection_pending')
			.select('id')
			.where('topic', '=', 'account')
			.where('key', '=', accountId)
			.execute()
	).length;

const viewEntries = async (accountId: string, since: Date) =>
	(
		await sql<{ result: string; subject_atena_number: string | null; object_type: string | null }>`
		SELECT result, subject_atena_number, object_type FROM audit.entry
		WHERE action = 'vaccination.view' AND actor_id = ${accountId} AND occurred_at >= ${since}
		ORDER BY seq`.execute(database.owner)
	).rows;

const storedRow = (accountId: string) =>
	zone.owner
		.selectFrom('projection')
		.select(['version', 'body'])
		.where('topic', '=', 'account')
		.where('key', '=', accountId)
		.executeTakeFirst();

beforeAll(async () => {
	database = await freshDatabase();
	zone = await freshPortalZone();
	await loadDemoCity(database.owner, {
		seed: 'projection',
		residents: 80,
		asOf: tokyoDate(new Date()),
		myNumberKey: { id: 'test', key: randomBytes(32) }
	});
	server = await serveExchange(zone.portal, parsePublicKeys(publicKeyText(backOfficeKey)));
	peer = {
		portalUrl: server.url,
		signer: backOfficeKey,
		rp: { origin: 'https://portal.example.lg.jp', rpId: 'portal.example.lg.jp' },
		municipalityCode: city
	};
	const today = tokyoDate(new Date());
	const link = await database.owner
		.selectFrom('guardianship as g')
		.innerJoin('resident as c', (join) =>
			join
				.onRef('c.municipality_code', '=', 'g.municipality_code')
				.onRef('c.atena_number', '=', 'g.child_atena_number')
		)
		.select(['g.guardian_atena_number', 'g.child_atena_number', 'g.valid_until', 'c.name_kanji'])
		.where('g.valid_from', '<=', today)
		.where('g.valid_until', '>=', today)
		.where('g.suppressed_for_dv', '=', false)
		.where('c.status', '=', 'resident')
		.orderBy('g.child_atena_number')
		.limit(1)
		.executeTakeFirstOrThrow();
	const { account } = await residentWithCredential(
		database.owner,
		city,
		link.guardian_atena_number
	);
	guardian = {
		type: 'resident',
		id: account.id,
		atenaNumber: link.guardian_atena_number,
		municipalityCode: city
	};
	child = { atena: link.child_atena_number, name: link.name_kanji, until: link.valid_until };
});
afterAll(async () => {
	await server?.close();
	await zone?.close();
	await database?.close();
});

describe('the projection the back office publishes to the portal zone', () => {
	it('shows nothing before it is published, then the household exactly as the back office reads it', async () => {
		await expect(householdDashboard(zone.portal, guardian, { locale: 'ja' })).rejects.toThrow(
			ProjectionPending
		);
		expect(await marksOf(guardian.id)).toBeGreaterThan(0);
		expect(await publishTo(database.backoffice, peer)).toBeGreaterThan(0);
		expect(await marksOf(guardian.id)).toBe(0);

		const dashboard = await householdDashboard(zone.portal, guardian, { locale: 'ja' });
		expect(dashboard.household.map((person) => person.relation)).toContain('child');
		expect(dashboard.household.map((person) => person.name)).toContain(child.name);

		// Each record on the portal is the one the back office computes from its own tables.
		const now = new Date();
		const inside = await representedPeople(database.backoffice, guardian, now);
		const [ja, en] = await Promise.all([
			vaccinationRecords(database.backoffice, city, inside, 'ja', now),
			vaccinationRecords(database.backoffice, city, inside, 'en', now)
		]);
		for (const [index, person] of inside.entries()) {
			const shown = await personRecord(zone.portal, guardian, { ref: person.ref, locale: 'ja' });
			expect(shown.history).toEqual(ja[index]!.history);
			expect(shown.due).toEqual(ja[index]!.due);
			const english = await personRecord(zone.portal, guardian, { ref: person.ref, locale: 'en' });
			expect(english.history).toEqual(en[index]!.history);
		}
		// What the portal holds names people by the account's references, never by 宛名番号.
		const stored = JSON.stringify((await storedRow(guardian.id))!.body);
		expect(stored).not.toContain(guardian.atenaNumber);
		expect(stored).not.toContain(child.atena);
	});

	it('publishes a dose keyed inside, reports the views for the audit log, and takes a child off under a DV flag', async () => {
		await publishTo(database.backoffice, peer);
		await pullOnce(database.backoffice, peer); // the views of the test before, audited now
		const since = new Date();
		const [, childRef] = (await representedPeople(database.backoffice, guardian, since)).map(
			(person) => person.ref
		);
		const before = await personRecord(zone.portal, guardian, { ref: childRef!, locale: 'ja' });
		// Written as a DBA or an import would: no application code marks it, the trigger does.
		await database.owner
			.insertInto('vaccination_dose')
			.values({
				municipality_code: city,
				atena_number: child.atena,
				vaccine_code: 'mr',
				dose_code: 'period_1',
				legal_basis: 'statutory',
				administered_on: tokyoDate(new Date()),
				institution_name: '海外の医療機関',
				status: 'administered',
				source: 'demo',
				entered_by: 'system:test'
			})
			.execute();
		expect(await marksOf(guardian.id)).toBe(1);
		await publishTo(database.backoffice, peer);
		const after = await personRecord(zone.portal, guardian, { ref: childRef!, locale: 'ja' });
		expect(after.history).toHaveLength(before.history.length + 1);
		expect(after.history[0]).toMatchObject({
			vaccineCode: 'mr',
			institution: '海外の医療機関',
			pendingCheck: true
		});

		// The views travel as items and are audited inside, the child's under the child's number.
		await pullOnce(database.backoffice, peer);
		const views = await viewEntries(guardian.id, since);
		expect(views.filter((entry) => entry.subject_atena_number === child.atena)).toHaveLength(2);

		await database.owner
			.updateTable('guardianship')
			.set({ suppressed_for_dv: true })
			.where('guardian_atena_number', '=', guardian.atenaNumber)
			.where('child_atena_number', '=', child.atena)
			.execute();
		await publishTo(database.backoffice, peer);
		const dashboard = await householdDashboard(zone.portal, guardian, { locale: 'ja' });
		expect(dashboard.household.map((person) => person.name)).not.toContain(child.name);
		await expect(
			personRecord(zone.portal, guardian, { ref: childRef!, locale: 'ja' })
		).rejects.toMatchObject({ code: 'not_found', status: 404 });
		await pullOnce(database.backoffice, peer);
		// The look after the flag is on record: still resolved to the child (it was once linked).
		expect((await viewEntries(guardian.id, since)).length).toBeGreaterThanOrEqual(4);

		await database.owner
			.updateTable('guardianship')
			.set({ suppressed_for_dv: false })
			.where('guardian_atena_number', '=', guardian.atenaNumber)
			.where('child_atena_number', '=', child.atena)
			.execute();
		await publishTo(database.backoffice, peer);
	});

	it('audits a reference the account does not have as a refused look', async () => {
		const since = new Date();
		await expect(
			personRecord(zone.portal, guardian, { ref: 'AAAAAAAAAAAAAAAAAAAAAA', locale: 'ja' })
		).rejects.toMatchObject({ code: 'not_found' });
		// A compromised portal's view item with a 個人番号-like run and junk: kept masked, refused look.
		await zone.owner
			.insertInto('exchange_item')
			.values({
				kind: 'view',
				resident_account_id: guardian.id,
				body: JSON.stringify({ page: 'record', refs: ['123456789012<script>'] })
			})
			.execute();
		const report = await pullOnce(database.backoffice, peer);
		expect(report.results.length).toBeGreaterThanOrEqual(2);
		expect(new Set(report.results.map((result) => result.outcome))).toEqual(new Set(['applied']));
		const denied = (await viewEntries(guardian.id, since)).filter(
			(entry) => entry.result === 'denied'
		);
		expect(denied).toEqual([
			{ result: 'denied', subject_atena_number: null, object_type: 'person_ref' },
			{ result: 'denied', subject_atena_number: null, object_type: 'person_ref' }
		]);
		const { rows } = await sql<{ object_id: string }>`
			SELECT object_id FROM audit.entry WHERE action = 'vaccination.view' AND result = 'denied'
				AND actor_id = ${guardian.id} ORDER BY seq`.execute(database.owner);
		expect(rows.map((row) => row.object_id)).toEqual(['AAAAAAAAAAAAAAAAAAAAAA', '…script']);
	});

	it('shows the newest notices, each as new until it has been shown once', async () => {
		const at = (seconds: number) => new Date(Date.now() - 60_000 + seconds * 1000);
		for (const [kind, seconds] of [
			['passkey_added', 0],
			['passkey_revoked', 1]
		] as const)
			await notify(database.owner, {
				municipalityCode: city,
				accountId: guardian.id,
				kind,
				now: at(seconds)
			});
		await publishTo(database.backoffice, peer);
		const first = await householdDashboard(zone.portal, guardian, { locale: 'ja' });
		expect(first.notices.map(({ kind, unread }) => ({ kind, unread }))).toEqual([
			{ kind: 'passkey_revoked', unread: true },
			{ kind: 'passkey_added', unread: true }
		]);
		const again = await householdDashboard(zone.portal, guardian, { locale: 'ja' });
		expect(again.notices.map((notice) => notice.unread)).toEqual([false, false]);

		await notify(database.owner, {
			municipalityCode: city,
			accountId: guardian.id,
			kind: 'passkey_flagged',
			now: at(2)
		});
		await publishTo(database.backoffice, peer);
		const later = await householdDashboard(zone.portal, guardian, { locale: 'ja' });
		expect(later.notices.map(({ kind, unread }) => ({ kind, unread }))).toEqual([
			{ kind: 'passkey_flagged', unread: true },
			{ kind: 'passkey_revoked', unread: false },
			{ kind: 'passkey_added', unread: false }
		]);
		// As many as the dashboard shows, newest first.
		for (let index = 0; index < 6; index++)
			await notify(database.owner, {
				municipalityCode: city,
				accountId: guardian.id,
				kind: 'application_updated',
				now: at(10 + index)
			});
		await publishTo(database.backoffice, peer);
		const full = await householdDashboard(zone.portal, guardian, { locale: 'ja' });
		expect(full.notices).toHaveLength(5);
		expect(new Set(full.notices.map((notice) => notice.kind))).toEqual(
			new Set(['application_updated'])
		);
	});

	it('lists released documents and hands over exactly their file, only for the people shown', async () => {
		const issue = async (subject: string, number: string, availableUntil: Date | null = null) =>
			await database.owner
				.insertInto('issued_document')
				.values({
					municipality_code: city,
					subject_atena_number: subject,
					kind: 'certificate',
					document_number: number,
					file_name: `${number}.pdf`,
					content: Buffer.from(`%PDF-1.7 ${number} ${randomBytes(8).toString('hex')}`),
					issued_at: new Date(),
					available_until: availableUntil
				})
				.returning(['id', 'content'])
				.executeTakeFirstOrThrow();
		const childs = await issue(child.atena, 'T-0001');
		const stranger = await database.owner
			.selectFrom('resident')
			.select('atena_number')
			.where('atena_number', 'not in', [guardian.atenaNumber, child.atena])
			.where('status', '=', 'resident')
			.executeTakeFirstOrThrow();
		const strangers = await issue(stranger.atena_number, 'T-0002');
		const soon = await issue(guardian.atenaNumber, 'T-0003', new Date(Date.now() + 60_000));
		// The file is published only where an account may see it: not the stranger's.
		const published = await database.owner
			.selectFrom('projection_pending')
			.select('key')
			.where('topic', '=', 'document')
			.execute();
		expect(published.map((row) => row.key).sort()).toEqual([childs.id, soon.id].sort());
		await publishTo(database.backoffice, peer);

		const since = new Date();
		const listed = await residentDocuments(zone.portal, guardian);
		expect(listed.map((row) => row.number)).toEqual(expect.arrayContaining(['T-0001', 'T-0003']));
		expect(listed.map((row) => row.number)).not.toContain('T-0002');
		expect(listed.find((row) => row.number === 'T-0001')!.person).toBe(child.name);
		const file = await residentDocument(zone.portal, guardian, { id: childs.id });
		expect(file.content.equals(childs.content)).toBe(true);
		await expect(
			residentDocument(zone.portal, guardian, { id: strangers.id })
		).rejects.toMatchObject({ code: 'not_found' });
		// Past its time, a limited document is neither handed over nor kept on the portal.
		const later = new Date(Date.now() + 120_000);
		await expect(
			residentDocument(zone.portal, guardian, { id: soon.id }, later)
		).rejects.toMatchObject({ code: 'not_found' });
		await applyProjection(
			zone.portal,
			[{ topic: 'catalogue', key: 'none', version: '1', body: null }],
			later
		);
		const kept = await zone.owner
			.selectFrom('projection')
			.select('body')
			.where('topic', '=', 'document')
			.where('key', '=', soon.id)
			.executeTakeFirstOrThrow();
		expect(kept.body).toBeNull();

		// The list and each download are on record inside, the stranger's as refused.
		await pullOnce(database.backoffice, peer);
		const { rows } = await sql<{ action: string; result: string; object_id: string | null }>`
			SELECT action, result, object_id FROM audit.entry
			WHERE actor_id = ${guardian.id} AND occurred_at >= ${since}
				AND action IN ('document.list', 'document.download') ORDER BY seq`.execute(database.owner);
		expect(rows).toEqual([
			{ action: 'document.list', result: 'ok', object_id: null },
			{ action: 'document.download', result: 'ok', object_id: childs.id },
			{ action: 'document.download', result: 'denied', object_id: strangers.id },
			{ action: 'document.download', result: 'denied', object_id: soon.id }
		]);
	});

	it('ends a link on the portal’s own clock, with no publication', async () => {
		const dayAfter = new Date(Date.parse(`${child.until}T12:00:00+09:00`) + 86_400_000);
		const lastDay = new Date(Date.parse(`${child.until}T12:00:00+09:00`));
		const on = await householdDashboard(zone.portal, guardian, { locale: 'ja' }, lastDay);
		expect(on.household.map((person) => person.name)).toContain(child.name);
		const off = await householdDashboard(zone.portal, guardian, { locale: 'ja' }, dayAfter);
		expect(off.household.map((person) => person.name)).not.toContain(child.name);
	});

	it('keeps a row when a copy arrives twice or late, and replaces it with a later one', async () => {
		const row = (await storedRow(guardian.id))!;
		const version = BigInt(row.version);
		expect(version).toBeGreaterThan(1n); // published more than once by now
		const forged = { people: [], consentedAt: null };
		const at = (v: bigint) => [
			{ topic: 'account' as const, key: guardian.id, version: String(v), body: forged }
		];
		expect(await applyProjection(zone.portal, at(version - 1n), new Date())).toBe(0);
		expect(await applyProjection(zone.portal, at(version), new Date())).toBe(0);
		expect((await storedRow(guardian.id))!.body).toEqual(row.body);
		// The back office's next round is above anything it sent before.
		await database.owner
			.updateTable('resident')
			.set({ name_kana: 'シケン　ハナコ' })
			.where('atena_number', '=', guardian.atenaNumber)
			.execute();
		await publishTo(database.backoffice, peer);
		const next = (await storedRow(guardian.id))!;
		expect(BigInt(next.version)).toBeGreaterThan(version);
		expect(JSON.stringify(next.body)).toContain('シケン　ハナコ');
	});

	it('keeps its marks when the portal cannot be reached, and answers no unsigned publication', async () => {
		await database.owner
			.updateTable('resident')
			.set({ name_kana: 'シケン　ジロウ' })
			.where('atena_number', '=', guardian.atenaNumber)
			.execute();
		const unreachable = { ...peer, portalUrl: 'http://127.0.0.1:9' };
		await expect(publishTo(database.backoffice, unreachable)).rejects.toThrow(/unreachable/);
		expect(await marksOf(guardian.id)).toBe(1);

		const unsigned = await fetch(`${server.url}/exchange/v1/projection`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({
				changes: [{ topic: 'account', key: guardian.id, version: '999999999', body: null }]
			})
		});
		expect(unsigned.status).toBe(401);
		expect((await storedRow(guardian.id))!.body).not.toBeNull();

		await publishTo(database.backoffice, peer);
		expect(await marksOf(guardian.id)).toBe(0);
		expect(JSON.stringify((await storedRow(guardian.id))!.body)).toContain('シケン　ジロウ');
	});

	it('warns the staff home page when a change inside has waited too long to be published', async () => {
		const clerk = staffCaller(
			city,
			{ type: 'staff', id: 'clerk', role: 'caseworker', department: null },
			[]
		);
		const now = new Date();
		const settings = { now, pulling: true, lagWarnSeconds: 60 };
		await publishTo(database.backoffice, peer);
		expect(await exchangeWarning(database.backoffice, clerk, settings)).toBeNull();
		await database.owner
			.updateTable('resident')
			.set({ name_kana: 'シケン　サブロウ' })
			.where('atena_number', '=', guardian.atenaNumber)
			.execute();
		// As if the portal had been unreachable for 95 s since the change.
		await database.owner
			.updateTable('projection_pending')
			.set({ marked_at: new Date(now.getTime() - 95_000) })
			.execute();
		expect(await exchangeWarning(database.backoffice, clerk, settings)).toEqual({
			kind: 'unpublished',
			seconds: 95
		});
		await publishTo(database.backoffice, peer);
		expect(await exchangeWarning(database.backoffice, clerk, settings)).toBeNull();
	});

	it('publishes on its own while the exchange runs, leaving no listener behind at each pause', async () => {
		const warnings: string[] = [];
		const onWarning = (warning: Error) => warnings.push(warning.name);
		process.on('warning', onWarning);
		const stop = startExchange(database.backoffice, peer, { waitSeconds: 1, publishEveryMs: 5 });
		try {
			await database.owner
				.updateTable('resident')
				.set({ name_kana: 'シケン　シロウ' })
				.where('atena_number', '=', guardian.atenaNumber)
				.execute();
			await expect
				.poll(async () => JSON.stringify((await storedRow(guardian.id))!.body))
				.toContain('シケン　シロウ');
			await new Promise((resolve) => setTimeout(resolve, 300)); // some sixty pauses
		} finally {
			await stop();
			process.off('warning', onWarning);
		}
		expect(warnings).not.toContain('MaxListenersExceededWarning');
	});

	it('lets no role write a mark: only the triggers do', async () => {
		await expect(
			sql`INSERT INTO projection_pending (topic, municipality_code, key)
				VALUES ('account', ${city}, ${guardian.id})`.execute(database.backoffice)
		).rejects.toThrow(/permission denied/);
	});
});

describe('applications on the projection (issue 27)', () => {
	const sentPage = (caller: ResidentCaller, id: string, now?: Date) =>
		sentApplicationPage(zone.portal, caller, { id }, now);
	const listed = async (caller: ResidentCaller) =>
		(await applicationList(zone.portal, caller, { drafts: [] })).map((row) => row.id);
	const otherResident = async (): Promise<ResidentCaller> => {
		const person = await database.owner
			.selectFrom('resident')
			.select('atena_number')
			.where('municipality_code', '=', city)
			.where('status', '=', 'resident')
			.where('atena_number', 'not in', [guardian.atenaNumber, child.atena])
			.orderBy('atena_number', 'desc')
			.limit(1)
			.executeTakeFirstOrThrow();
		const { account } = await residentWithCredential(database.owner, city, person.atena_number);
		await publishTo(database.backoffice, peer);
		return {
			type: 'resident',
			id: account.id,
			atenaNumber: person.atena_number,
			municipalityCode: city
		};
	};
	const applicationEntries = async (accountId: string, since: Date) =>
		(
			await sql<{ action: string; result: string; object_id: string | null }>`
			SELECT action, result, object_id FROM audit.entry
			WHERE action IN ('application.view', 'application.list') AND actor_id = ${accountId}
				AND occurred_at >= ${since} ORDER BY seq`.execute(database.owner)
		).rows;

	it('publishes a sent application and its 差し戻し, never a draft, to the account that sent it', async () => {
		await pullOnce(database.backoffice, peer); // views reported before: audited now
		const since = new Date();
		const draft = await createDraft(database.portal, {
			municipalityCode: city,
			accountId: guardian.id,
			kind: 'certificate',
			now: new Date()
		});
		await database.owner
			.updateTable('application')
			.set({ subject_atena_number: child.atena, draft: sql`'{"purpose":"study"}'::jsonb` })
			.where('id', '=', draft.id)
			.execute();
		await publishTo(database.backoffice, peer);
		// A draft is the portal's own: nothing of it is published.
		expect(await sentPage(guardian, draft.id)).toBeNull();
		expect(await listed(guardian)).not.toContain(draft.id);

		// Sent (written by SQL here: the triggers mark whatever wrote it).
		await database.owner
			.updateTable('application')
			.set({
				status: 'submitted',
				stage: 'new',
				reference: 'C-2026-PRJ1',
				current_version: 1,
				submitted_at: new Date(),
				updated_at: new Date()
			})
			.where('id', '=', draft.id)
			.execute();
		await database.owner
			.insertInto('application_transition')
			.values({
				application_id: draft.id,
				from_status: 'draft',
				to_status: 'submitted',
				actor_type: 'resident',
				actor_id: guardian.id,
				action: 'application.submit',
				at: new Date()
			})
			.execute();
		expect(await publishTo(database.backoffice, peer)).toBeGreaterThan(0);
		expect(await listed(guardian)).toContain(draft.id);
		const sent = await sentPage(guardian, draft.id);
		expect(sent).toMatchObject({
			application: {
				id: draft.id,
				kind: 'certificate',
				status: 'submitted',
				reference: 'C-2026-PRJ1'
			},
			open: true,
			resume: null,
			returnItems: []
		});
		expect(sent!.history).toEqual([
			expect.objectContaining({ to: 'submitted', by: 'resident', items: 0 })
		]);
		// Nothing of the draft's answers or the person's 宛名番号 crosses.
		const { body } = await zone.owner
			.selectFrom('projection')
			.select('body')
			.where('topic', '=', 'application')
			.where('key', '=', draft.id)
			.executeTakeFirstOrThrow();
		expect(JSON.stringify(body)).not.toContain('study');
		expect(JSON.stringify(body)).not.toContain(child.atena);

		// Returned with what to correct: the page lists it and opens the wizard at the check.
		await database.owner
			.updateTable('application')
			.set({
				status: 'returned',
				stage: 'returned',
				return_items: JSON.stringify([{ step: 'purpose', note: '提出先を具体的に' }]),
				updated_at: new Date()
			})
			.where('id', '=', draft.id)
			.execute();
		await publishTo(database.backoffice, peer);
		expect(await sentPage(guardian, draft.id)).toMatchObject({
			application: { status: 'returned' },
			resume: 'check',
			returnItems: [{ step: 'purpose', note: '提出先を具体的に', label: expect.any(String) }]
		});

		// Another account is shown nothing of it; under a DV flag, neither is the guardian.
		const other = await otherResident();
		expect(await sentPage(other, draft.id)).toBeNull();
		await sql`UPDATE guardianship SET suppressed_for_dv = true
			WHERE municipality_code = ${city} AND child_atena_number = ${child.atena}`.execute(database.owner);
		try {
			await publishTo(database.backoffice, peer);
			expect(await sentPage(guardian, draft.id)).toBeNull();
			expect(await listed(guardian)).not.toContain(draft.id);
		} finally {
			await sql`UPDATE guardianship SET suppressed_for_dv = false
				WHERE municipality_code = ${city} AND child_atena_number = ${child.atena}`.execute(database.owner);
			await publishTo(database.backoffice, peer);
		}

		// What the pages showed is audited inside; another account's look at it is refused.
		await reportViews(
			zone.portal,
			other,
			{ page: 'application', refs: [], applicationId: draft.id },
			new Date()
		);
		await pullOnce(database.backoffice, peer);
		expect(await applicationEntries(guardian.id, since)).toEqual(
			expect.arrayContaining([
				{ action: 'application.list', result: 'ok', object_id: null },
				{ action: 'application.view', result: 'ok', object_id: draft.id }
			])
		);
		expect(await applicationEntries(other.id, since)).toEqual([
			{ action: 'application.view', result: 'denied', object_id: draft.id }
		]);
	});
});

describe('the 閲覧履歴 on the projection (issue 27)', () => {
	it('publishes a staff look at a child to the guardian, with names only where the city shows them, a page at a time', async () => {
		await publishTo(database.backoffice, peer);
		const childRef = (
			await householdDashboard(zone.portal, guardian, { locale: 'ja' })
		).household.find((person) => person.relation === 'child')!.ref;
		const logOf = (from: string | null = null) =>
			personAccessLog(zone.portal, guardian, { ref: childRef, from });
		const before = (await logOf()).entries.length;

		const clerk = await createStaffUser(database.backoffice, {
			municipalityCode: city,
			loginId: `access-${randomBytes(3).toString('hex')}`,
			displayName: '閲覧 花子',
			departmentJa: '健康増進課',
			departmentEn: 'Health Promotion',
			roles: [{ role: 'caseworker', validFrom: '2020-01-01', validUntil: null }],
			createdBy: null,
			reason: 'test',
			now: new Date()
		});
		const look = (count: number) =>
			recordAudits(
				database.backoffice,
				Array.from({ length: count }, () => ({
					municipalityCode: city,
					actor: {
						type: 'staff' as const,
						id: clerk.id,
						role: 'caseworker',
						department: '健康増進課'
					},
					action: 'vaccination.view' as const,
					subjectAtenaNumber: child.atena,
					result: 'ok' as const
				}))
			);
		// A staff entry is marked through the cursor (no trigger on the log) and reaches the portal.
		await look(1);
		expect(await publishTo(database.backoffice, peer)).toBeGreaterThan(0);
		const first = await logOf();
		expect(first.entries).toHaveLength(before + 1);
		expect(first.entries[0]).toMatchObject({
			action: 'vaccination.view',
			role: 'caseworker',
			department: '健康増進課',
			staffName: null,
			label: expect.any(String)
		});
		// Nothing new in the log: nothing to publish.
		expect(await publishTo(database.backoffice, peer)).toBe(0);

		// The city chooses to show names: every log of the city is published again.
		await database.owner
			.updateTable('municipality')
			.set({ access_log_shows_staff_names: true })
			.where('municipality_code', '=', city)
			.execute();
		try {
			await publishTo(database.backoffice, peer);
			expect((await logOf()).entries[0]!.staffName).toBe('閲覧 花子');
		} finally {
			await database.owner
				.updateTable('municipality')
				.set({ access_log_shows_staff_names: false })
				.where('municipality_code', '=', city)
				.execute();
			await publishTo(database.backoffice, peer);
		}

		// Pages of 50; past what is published, the page says a 開示請求 gives the older ones.
		await look(accessEntriesPublished + 5 - before - 1);
		await publishTo(database.backoffice, peer);
		const newest = await logOf();
		expect(newest.entries).toHaveLength(50);
		expect(newest.older).toBe('50');
		expect(newest.moreByRequest).toBeNull();
		const last = await logOf(String(accessEntriesPublished - 50));
		expect(last.entries).toHaveLength(50);
		expect(last.older).toBeNull();
		expect(last.moreByRequest).toBe(accessEntriesPublished);

		// Each page was a look at the log about the child; another account's reference is not
		// found, and the look is audited as refused.
		await pullOnce(database.backoffice, peer);
		const since = new Date();
		await expect(
			personAccessLog(zone.portal, guardian, { ref: 'BBBBBBBBBBBBBBBBBBBBBB', from: null })
		).rejects.toMatchObject({ code: 'not_found' });
		await pullOnce(database.backoffice, peer);
		const { rows } = await sql<{ result: string; subject_atena_number: string | null }>`
			SELECT result, subject_atena_number FROM audit.entry
			WHERE action = 'audit.view' AND actor_id = ${guardian.id} AND occurred_at >= ${since}
			ORDER BY seq`.execute(database.owner);
		expect(rows).toEqual([{ result: 'denied', subject_atena_number: null }]);
		const looks = await sql<{ n: number }>`
			SELECT count(*)::int AS n FROM audit.entry
			WHERE action = 'audit.view' AND actor_id = ${guardian.id} AND result = 'ok'
				AND subject_atena_number = ${child.atena}`.execute(database.owner);
		expect(looks.rows[0]!.n).toBeGreaterThanOrEqual(5);
	});
});

describe('the 開示・訂正・利用停止請求 on the projection (issue 27)', () => {
	it('offers a correction only after a disclosure decided within the 90 days, as published', async () => {
		const disclosure = async (decidedOn: string) => {
			const { id } = await database.owner
				.insertInto('desk_request')
				.values({
					municipality_code: city,
					reference: `D-PRJ-${randomBytes(4).toString('hex')}`,
					kind: 'disclosure',
					channel: 'desk',
					subject_atena_number: guardian.atenaNumber,
					requester_type: 'self',
					requester_name: '本人',
					identity_documents: ['my_number_card'],
					what_requested: '予防接種の記録',
					received_on: addDays(decidedOn, -10),
					deadline: addDays(decidedOn, 5),
					status: 'decided',
					decision: 'full',
					decided_on: decidedOn,
					created_by: 'desk',
					created_at: new Date()
				})
				.returning('id')
				.executeTakeFirstOrThrow();
			return id;
		};
		const today = tokyoDate(new Date());
		const recent = await disclosure(addDays(today, -20));
		const old = await disclosure(addDays(today, -120));
		await publishTo(database.backoffice, peer);
		const page = await ownDeskRequests(zone.portal, guardian, { deadlineDays: 30 });
		expect(page.disclosures.map((row) => row.id)).toEqual([recent]);
		expect(page.requests).toEqual([]);
		const correction = (follows: string) =>
			onlineRequestToSign(zone.portal, guardian, {
				kind: 'correction',
				what: '接種日の訂正',
				follows,
				key: randomUUID()
			});
		await expect(correction(recent)).resolves.toMatchObject({ followsDisclosure: recent });
		await expect(correction(old)).rejects.toMatchObject({ code: 'disclosure_required' });
		// The page's look is the desk's list in the audit log.
		const since = new Date();
		await pullOnce(database.backoffice, peer);
		const { rows } = await sql<{ subject_atena_number: string }>`
			SELECT subject_atena_number FROM audit.entry
			WHERE action = 'desk.list' AND actor_id = ${guardian.id} AND occurred_at >= ${since}`.execute(
			database.owner
		);
		expect(rows).toEqual([{ subject_atena_number: guardian.atenaNumber }]);
	});
});

describe('the city’s settings on the projection (issue 27)', () => {
	it('publishes the city as the back office keeps it, and again when a setting changes', async () => {
		await publishTo(database.backoffice, peer);
		const inside = await findServedMunicipality(database.backoffice, city);
		expect(await publishedCity(zone.portal, city)).toEqual(inside);
		// The only city published is the one served when none is named.
		expect(await publishedCity(zone.portal, undefined)).toEqual(inside);
		await database.owner
			.updateTable('municipality')
			.set({ desk_phone: '0120-000-999', resident_idle_minutes: 20 })
			.where('municipality_code', '=', city)
			.execute();
		expect(await publishTo(database.backoffice, peer)).toBeGreaterThan(0);
		expect(await publishedCity(zone.portal, city)).toMatchObject({
			desk_phone: '0120-000-999',
			resident_idle_minutes: 20
		});
		expect(await publishedCity(zone.portal, '999999')).toBeNull();
	});
});

describe('a large round (issue 27: bench:load’s first publication answered 413)', () => {
	it('goes in POSTs of a bounded size, every change applied', async () => {
		await publishTo(database.backoffice, peer);
		// A change to every resident marks every account that sees one.
		await sql`UPDATE resident SET name_kana = name_kana WHERE municipality_code = ${city}`.execute(
			database.owner
		);
		const limit = 2_000;
		const batches: number[][] = [];
		const taken = await publishRound(
			database.backoffice,
			async (changes) => {
				batches.push(changes.map((change) => Buffer.byteLength(JSON.stringify(change))));
				await applyProjection(zone.portal, changes, new Date());
			},
			new Date(),
			limit
		);
		expect(taken).toBeGreaterThan(0);
		expect(batches.length).toBeGreaterThan(1);
		for (const sizes of batches)
			expect(sizes.length === 1 || sizes.reduce((a, b) => a + b, 0) <= limit).toBe(true);
		expect(await marksOf(guardian.id)).toBe(0);
		await expect(householdDashboard(zone.portal, guardian, { locale: 'ja' })).resolves.toBeTruthy();
	});
});

describe('a change the portal would not take (issue 27)', () => {
	const clerk = () =>
		staffCaller(city, { type: 'staff', id: 'clerk', role: 'caseworker', department: null }, []);
	const setAside = () =>
		database.owner
			.selectFrom('projection_set_aside')
			.select(['topic', 'key', 'reason'])
			.orderBy('key')
			.execute();

	it('is set aside and taken off the portal, holds up nothing, is warned of, and goes once it fits', async () => {
		await publishTo(database.backoffice, peer);
		const settings = { now: new Date(), pulling: true, lagWarnSeconds: 60 };
		expect(await exchangeWarning(database.backoffice, clerk(), settings)).toBeNull();
		const { name_kanji: name } = await database.owner
			.selectFrom('resident')
			.select('name_kanji')
			.where('atena_number', '=', guardian.atenaNumber)
			.executeTakeFirstOrThrow();
		// A name longer than the portal shows (its shape allows 200 characters), marked with a
		// change to someone else after it.
		await database.owner
			.updateTable('resident')
			.set({ name_kanji: '長'.repeat(201) })
			.where('atena_number', '=', guardian.atenaNumber)
			.execute();
		await sql`UPDATE resident SET name_kana = 'シケン　シロウ' WHERE atena_number = ${child.atena}`.execute(
			database.owner
		);
		await publishTo(database.backoffice, peer);
		// Nothing is left waiting behind it; the account is off the portal, not shown as it was.
		expect(await marksOf(guardian.id)).toBe(0);
		expect((await storedRow(guardian.id))!.body).toBeNull();
		await expect(householdDashboard(zone.portal, guardian, { locale: 'ja' })).rejects.toThrow(
			ProjectionPending
		);
		expect(await setAside()).toEqual([
			{ topic: 'account', key: guardian.id, reason: 'shape: people.0.nameKanji too_big' }
		]);
		expect(await exchangeWarning(database.backoffice, clerk(), settings)).toEqual({
			kind: 'set_aside',
			count: 1
		});
		// Corrected inside: marked again, published whole, no longer set aside.
		await database.owner
			.updateTable('resident')
			.set({ name_kanji: name })
			.where('atena_number', '=', guardian.atenaNumber)
			.execute();
		await publishTo(database.backoffice, peer);
		expect(await setAside()).toEqual([]);
		await expect(householdDashboard(zone.portal, guardian, { locale: 'ja' })).resolves.toBeTruthy();
		expect(await exchangeWarning(database.backoffice, clerk(), settings)).toBeNull();
	});

	it('finds the one change in a refused batch, sends the rest, and sends it with no body', async () => {
		await publishTo(database.backoffice, peer);
		await sql`UPDATE resident SET name_kana = name_kana WHERE municipality_code = ${city}`.execute(
			database.owner
		);
		const sent: string[] = [];
		const refusing = async (changes: ProjectionChange[]) => {
			// The portal refuses any batch carrying the guardian's view (as it would one too large).
			if (changes.some((change) => change.key === guardian.id && change.body !== null))
				throw new PublicationRefused('portal answered 413');
			sent.push(...changes.map((change) => change.key));
			await applyProjection(zone.portal, changes, new Date());
		};
		const taken = await publishRound(database.backoffice, refusing, new Date());
		expect(taken).toBeGreaterThan(1);
		expect(sent).toContain(guardian.id);
		expect(new Set(sent).size).toBe(sent.length);
		expect((await storedRow(guardian.id))!.body).toBeNull();
		expect(await setAside()).toEqual([
			{ topic: 'account', key: guardian.id, reason: 'refused: portal answered 413' }
		]);
		// A portal that cannot be reached is not a refusal: the round fails and keeps its marks.
		await sql`UPDATE resident SET name_kana = name_kana WHERE atena_number = ${child.atena}`.execute(
			database.owner
		);
		await expect(
			publishRound(database.backoffice, async () => {
				throw new Error('portal unreachable');
			})
		).rejects.toThrow('portal unreachable');
		expect(await marksOf(guardian.id)).toBeGreaterThan(0);
		await publishTo(database.backoffice, peer);
		expect(await setAside()).toEqual([]);
	});

	it('takes a portal’s 413 as a refusal (not as a portal down), and tries what it set aside again later', async () => {
		await publishTo(database.backoffice, peer);
		// A portal whose body limit is set too low: it answers every publication 413.
		const tooSmall = http.createServer((request, response) => {
			request.resume();
			request.on('end', () => response.writeHead(413).end());
		});
		await new Promise<void>((resolve) => tooSmall.listen(0, '127.0.0.1', resolve));
		const tooSmallUrl = `http://127.0.0.1:${(tooSmall.address() as AddressInfo).port}`;
		try {
			await sql`UPDATE resident SET name_kana = name_kana WHERE atena_number = ${guardian.atenaNumber}`.execute(
				database.owner
			);
			await publishTo(database.backoffice, { ...peer, portalUrl: tooSmallUrl });
		} finally {
			await new Promise((resolve) => tooSmall.close(resolve));
		}
		expect(await marksOf(guardian.id)).toBe(0);
		expect((await setAside()).map((row) => [row.key, row.reason])).toContainEqual([
			guardian.id,
			'refused: portal answered 413'
		]);
		// The limit is mended; with nothing else marked, the publisher's look after the wait finds
		// it due, and the round tries it again, and it goes.
		expect(await marksOf(guardian.id)).toBe(0);
		const later = new Date(Date.now() + retrySetAsideMs + 1000);
		expect(await setAsideDue(database.backoffice, new Date())).toBe(false);
		expect(await setAsideDue(database.backoffice, later)).toBe(true);
		await publishTo(database.backoffice, peer, () => later);
		expect(await setAside()).toEqual([]);
		await expect(householdDashboard(zone.portal, guardian, { locale: 'ja' })).resolves.toBeTruthy();
	});
});
