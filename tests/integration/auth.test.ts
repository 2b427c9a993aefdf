// Sign-in rules against a real PostgreSQL: enrolment codes (single use, expiry, lock after five),
// challenges (single use, five minutes, bound to one browser), sessions (idle and absolute
// timeouts on a clock the test moves, the hash-only store, lucia's expiry clamped), rate limits,
// and staff rights with dates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { residentWithCredential as sharedResidentWithCredential } from '../support/fixtures';
import { randomBytes } from 'node:crypto';
import {
	claimLetterCode,
	claimLink,
	claimedEnrolment,
	issueDeskLink,
	issueLetterCode,
	markUsed
} from '../../src/lib/server/auth/enrolment';
import { AuthFailure } from '../../src/lib/server/auth/failures';
import { count, hit, isLimited, limits } from '../../src/lib/server/auth/rate-limit';
import { createSessionManager, sessionIdHash } from '../../src/lib/server/auth/sessions';
import { sha256 } from '../../src/lib/server/auth/tokens';
import { consumeChallenge, storeChallenge } from '../../src/lib/server/auth/webauthn';
import {
	approveRole,
	createStaffUser,
	deactivateStaffUser,
	grantRole,
	revokeRole,
	rightsChanges,
	StaffAccountError
} from '../../src/lib/server/staff/accounts';
import { staffAccess } from '../../src/lib/server/auth/staff-access';
import {
	freshDatabase,
	freshPortalZone,
	type TestDatabase,
	type TestPortalZone
} from '../support/database';
import { insertTestMunicipality, insertTestResident, insertTestStaff } from '../support/fixtures';

const city = '139998';
let database: TestDatabase;
/** Residents' sessions live in the portal zone's own database (issue 27). */
let zone: TestPortalZone;
const minute = 60_000;

beforeAll(async () => {
	database = await freshDatabase();
	zone = await freshPortalZone();
	await insertTestMunicipality(database.owner, city);
	for (const atena of ['101', '102', '103', '104', '105']) {
		await insertTestResident(database.owner, city, atena);
	}
	await insertTestResident(database.owner, city, '199', '1980-01-01', 'moved_out');
	await sql`INSERT INTO role_permission (municipality_code, role_code, permission_code)
		VALUES (${city}, 'caseworker', 'application.process'), (${city}, 'admin', 'staff.manage'),
			(${city}, 'relief_officer', 'mynumber.read')
		ON CONFLICT DO NOTHING`.execute(database.owner);
});
afterAll(async () => {
	await zone?.close();
	await database?.close();
});

const ceremony = () => sha256(randomBytes(32));
const rejection = async (promise: Promise<unknown>) => {
	try {
		await promise;
	} catch (error) {
		if (error instanceof AuthFailure) return error.reason;
		throw error;
	}
	return 'accepted';
};

describe('letter codes', () => {
	it('need the right birth date, are held by one browser, and work once', async () => {
		const db = database.portal;
		const now = new Date('2026-11-22T10:00:00Z');
		const { code } = await issueLetterCode(database.backoffice, {
			municipalityCode: city,
			atenaNumber: '101',
			issuedBy: null,
			now
		});
		const browser = ceremony();
		expect(
			await rejection(
				claimLetterCode(db, { code, birthDate: '1990-04-02', ceremonyHash: browser, now })
			)
		).toBe('code_invalid');
		const claimed = await claimLetterCode(db, {
			code: code.toLowerCase().replace(/-/g, ''),
			birthDate: '1990-04-01',
			ceremonyHash: browser,
			now
		});
		expect(
			await claimedEnrolment(db, { ceremonyHash: browser, route: 'resident', now })
		).toMatchObject({ id: claimed.id });
		// Another browser holds nothing; a staff page sees no resident enrolment.
		expect(
			await claimedEnrolment(db, { ceremonyHash: ceremony(), route: 'resident', now })
		).toBeNull();
		expect(await claimedEnrolment(db, { ceremonyHash: browser, route: 'staff', now })).toBeNull();
		// The claim lasts 15 minutes.
		expect(
			await claimedEnrolment(db, {
				ceremonyHash: browser,
				route: 'resident',
				now: new Date(now.getTime() + 16 * minute)
			})
		).toBeNull();

		expect(await markUsed(db, claimed.id, now)).toBe(true);
		expect(await markUsed(db, claimed.id, now)).toBe(false);
		expect(
			await rejection(
				claimLetterCode(db, { code, birthDate: '1990-04-01', ceremonyHash: browser, now })
			)
		).toBe('code_used');
	});

	it('lock after five wrong birth dates, even against the right one afterwards', async () => {
		const now = new Date('2026-11-22T10:00:00Z');
		const { code } = await issueLetterCode(database.backoffice, {
			municipalityCode: city,
			atenaNumber: '102',
			issuedBy: null,
			now
		});
		const attempts = await Promise.all(
			Array.from({ length: 5 }, () =>
				rejection(
					claimLetterCode(database.portal, {
						code,
						birthDate: '2001-01-01',
						ceremonyHash: ceremony(),
						now
					})
				)
			)
		);
		// Parallel guesses share one atomic count: exactly the fifth locks.
		expect(attempts.filter((reason) => reason === 'code_locked')).toHaveLength(1);
		expect(attempts.filter((reason) => reason === 'code_invalid')).toHaveLength(4);
		expect(
			await rejection(
				claimLetterCode(database.portal, {
					code,
					birthDate: '1990-04-01',
					ceremonyHash: ceremony(),
					now
				})
			)
		).toBe('code_locked');
	});

	it('expire after 30 days, and a newer letter replaces an older one', async () => {
		const now = new Date('2026-11-22T10:00:00Z');
		const first = await issueLetterCode(database.backoffice, {
			municipalityCode: city,
			atenaNumber: '103',
			issuedBy: null,
			now
		});
		const second = await issueLetterCode(database.backoffice, {
			municipalityCode: city,
			atenaNumber: '103',
			issuedBy: null,
			now
		});
		expect(
			await rejection(
				claimLetterCode(database.portal, {
					code: first.code,
					birthDate: '1990-04-01',
					ceremonyHash: ceremony(),
					now
				})
			)
		).toBe('code_expired');
		const later = new Date(now.getTime() + 30 * 24 * 60 * minute + 1);
		expect(
			await rejection(
				claimLetterCode(database.portal, {
					code: second.code,
					birthDate: '1990-04-01',
					ceremonyHash: ceremony(),
					now: later
				})
			)
		).toBe('code_expired');
		// Only the hash is stored.
		const stored = await database.owner
			.selectFrom('enrolment')
			.select('secret_hash')
			.where('id', '=', second.enrolment.id)
			.executeTakeFirstOrThrow();
		expect(stored.secret_hash.equals(sha256(second.code.replace(/-/g, '')))).toBe(true);
	});

	it('refuse a person who no longer lives in the city', async () => {
		const now = new Date();
		const { code } = await issueLetterCode(database.backoffice, {
			municipalityCode: city,
			atenaNumber: '199',
			issuedBy: null,
			now
		});
		expect(
			await rejection(
				claimLetterCode(database.portal, {
					code,
					birthDate: '1980-01-01',
					ceremonyHash: ceremony(),
					now
				})
			)
		).toBe('code_invalid');
	});

	it('desk links need the documents seen and expire after 15 minutes', async () => {
		const now = new Date('2026-11-22T10:00:00Z');
		await expect(
			issueDeskLink(database.backoffice, {
				municipalityCode: city,
				atenaNumber: '104',
				identityDocuments: [],
				issuedBy: '00000000-0000-4000-8000-000000000000',
				now
			})
		).rejects.toThrow(/documents/);
		const staff = await insertTestStaff(database.backoffice, city, {
			loginId: 'desk1',
			displayName: '窓口',
			now
		});
		const { token } = await issueDeskLink(database.backoffice, {
			municipalityCode: city,
			atenaNumber: '104',
			identityDocuments: ['photo_id'],
			issuedBy: staff.id,
			now
		});
		expect(
			await rejection(
				claimLink(database.portal, {
					route: 'desk',
					token,
					ceremonyHash: ceremony(),
					now: new Date(now.getTime() + 16 * minute)
				})
			)
		).toBe('code_expired');
		expect(
			await rejection(
				claimLink(database.portal, { route: 'staff', token, ceremonyHash: ceremony(), now })
			)
		).toBe('code_invalid');
		const claimed = await claimLink(database.portal, {
			route: 'desk',
			token,
			ceremonyHash: ceremony(),
			now
		});
		expect(claimed.identity_documents).toEqual(['photo_id']);
	});
});

describe('challenges', () => {
	it('are single use, bound to the browser and the ceremony, and last five minutes', async () => {
		const db = database.portal;
		const now = new Date('2026-11-22T10:00:00Z');
		const browser = ceremony();
		const binding = {
			realm: 'resident' as const,
			purpose: 'authenticate' as const,
			ceremonyHash: browser
		};
		const first = await storeChallenge(db, binding, now);
		expect(Buffer.from(first, 'base64url')).toHaveLength(32);
		expect(
			await rejection(consumeChallenge(db, first, { ...binding, ceremonyHash: ceremony() }, now))
		).toBe('challenge_mismatch');
		// Consumed even by the failed attempt: never usable again.
		expect(await rejection(consumeChallenge(db, first, binding, now))).toBe('challenge_unknown');

		const second = await storeChallenge(db, binding, now);
		expect(
			await rejection(consumeChallenge(db, second, { ...binding, purpose: 'register' }, now))
		).toBe('challenge_mismatch');
		const third = await storeChallenge(db, binding, now);
		expect(
			await rejection(consumeChallenge(db, third, binding, new Date(now.getTime() + 5 * minute)))
		).toBe('challenge_expired');

		// Two verifications of one challenge in parallel: exactly one gets it.
		const fourth = await storeChallenge(db, binding, now);
		const results = await Promise.all(
			[1, 2, 3].map(() => rejection(consumeChallenge(db, fourth, binding, now)))
		);
		expect(results.filter((result) => result === 'accepted')).toHaveLength(1);
	});
});

describe('sessions', () => {
	const residentWithCredential = (atena: string) =>
		sharedResidentWithCredential(database.portal, city, atena);

	it('end after 30 idle minutes and 12 hours in all, on the clock the caller passes', async () => {
		const { account, credential } = await residentWithCredential('105');
		const manager = createSessionManager(zone.portal, 'resident', {
			secureCookies: false,
			settings: () => ({ idleMinutes: 30, absoluteHours: 12 })
		});
		const start = new Date();
		const { token, cookie } = await manager.start({
			ownerId: account.id,
			municipalityCode: city,
			credentialId: credential.id,
			ip: null,
			userAgent: null,
			now: start
		});
		expect(cookie.name).toBe('resident_session');
		expect(cookie.attributes).toMatchObject({ httpOnly: true, sameSite: 'lax', secure: false });
		// A session cookie: gone when the browser closes; the server ends it (issue 24, low).
		expect(Object.keys(cookie.attributes)).not.toContain('maxAge');
		expect(Object.keys(cookie.attributes)).not.toContain('expires');
		expect(token.length).toBeGreaterThanOrEqual(32);
		const rows = await zone.owner
			.selectFrom('resident_session')
			.select('id')
			.where('resident_account_id', '=', account.id)
			.execute();
		expect(rows.map((row) => row.id)).toEqual([sessionIdHash(token)]);

		// Activity every 10 minutes keeps it alive…
		let at = start;
		for (let step = 1; step < 72; step++) {
			at = new Date(start.getTime() + step * 10 * minute);
			expect((await manager.check(token, at)).status, `at ${step * 10} min`).toBe('valid');
		}
		// …until 12 hours after sign-in, whatever the activity.
		expect((await manager.check(token, new Date(start.getTime() + 12 * 60 * minute))).status).toBe(
			'absolute'
		);
		expect((await manager.check(token, new Date(start.getTime() + 12 * 60 * minute))).status).toBe(
			'none'
		);

		const second = await manager.start({
			ownerId: account.id,
			municipalityCode: city,
			credentialId: credential.id,
			ip: null,
			userAgent: null,
			now: start
		});
		expect(
			(await manager.check(second.token, new Date(start.getTime() + 29 * minute))).status
		).toBe('valid');
		expect(
			(
				await manager.check(
					second.token,
					new Date(start.getTime() + 29 * minute + 30 * minute + 1000)
				)
			).status
		).toBe('idle');
		expect((await manager.check('not-a-session', start)).status).toBe('none');
	});

	it('cannot be extended by lucia past the absolute limit', async () => {
		const { account, credential } = await residentWithCredential('104');
		const manager = createSessionManager(zone.portal, 'resident', {
			secureCookies: true,
			settings: () => ({ idleMinutes: 120, absoluteHours: 1 })
		});
		// Signed in 50 minutes ago (by the database's clock): lucia would slide the expiry by an hour.
		const start = new Date(Date.now() - 50 * minute);
		const { token, cookie } = await manager.start({
			ownerId: account.id,
			municipalityCode: city,
			credentialId: credential.id,
			ip: null,
			userAgent: null,
			now: start
		});
		expect(cookie.name).toBe('__Host-resident_session');
		expect((await manager.check(token, new Date())).status).toBe('valid');
		const row = await zone.owner
			.selectFrom('resident_session')
			.select(['expires_at', 'created_at'])
			.where('id', '=', sessionIdHash(token))
			.executeTakeFirstOrThrow();
		expect(row.expires_at.getTime()).toBeLessThanOrEqual(row.created_at.getTime() + 60 * minute);
		await manager.endAll(account.id);
		expect((await manager.check(token, new Date())).status).toBe('none');
	});
});

describe('rate limits', () => {
	it('count per window across connections and refuse past the maximum', async () => {
		const limit = { bucket: `test:${randomBytes(4).toString('hex')}`, max: 3, windowSeconds: 60 };
		const now = new Date('2026-11-22T10:00:30Z');
		await Promise.all([
			hit(database.portal, limit, now),
			hit(database.backoffice, limit, now),
			hit(database.portal, limit, now)
		]);
		expect(await isLimited(database.portal, limit, now)).toBe(true);
		expect(await rejection(hit(database.portal, limit, now))).toBe('rate_limited');
		// The next window starts afresh and clears the old one.
		expect(await count(database.portal, limit, new Date('2026-11-22T10:01:00Z'))).toBe(1);
		const windows = await database.owner
			.selectFrom('rate_limit')
			.select('hits')
			.where('bucket', '=', limit.bucket)
			.execute();
		expect(windows).toHaveLength(1);
		expect(limits.codeFailuresPerIp('192.0.2.1').bucket).toBe('code-failures:ip:192.0.2.1');
	});
});

describe('staff rights', () => {
	it('take a role that reads 個人番号 only when a second administrator approves it (issue 24, low)', async () => {
		const now = new Date('2026-11-22T03:00:00Z');
		const setup = (loginId: string) =>
			createStaffUser(database.backoffice, {
				municipalityCode: city,
				loginId,
				displayName: loginId,
				departmentJa: '情報政策課',
				departmentEn: 'IT',
				roles: [{ role: 'admin', validFrom: '2026-04-01', validUntil: null }],
				createdBy: null,
				reason: 'setup',
				now
			});
		const first = await setup('admin-a');
		const second = await setup('admin-b');
		// The first administrator grants themself the relief role: it waits, and gives nothing.
		const grant = await grantRole(database.backoffice, {
			municipalityCode: city,
			staffUserId: first.id,
			role: 'relief_officer',
			validFrom: '2026-11-01',
			validUntil: null,
			grantedBy: first.id,
			reason: '救済担当の兼務',
			now
		});
		expect(grant.approval_needed).toBe(true);
		const before = await staffAccess(database.backoffice, first.id, now);
		expect(before?.roles).toEqual(['admin']);
		expect(before?.permissions.has('mynumber.read')).toBe(false);
		// Neither the granter nor the person it is for can approve it.
		const approve = (by: string) =>
			approveRole(database.backoffice, {
				assignmentId: grant.id,
				municipalityCode: city,
				approvedBy: by,
				now
			}).then(
				() => 'approved',
				(error: unknown) => (error instanceof StaffAccountError ? error.code : String(error))
			);
		expect(await approve(first.id)).toBe('self');
		// Not even by writing the row directly: the table refuses it.
		await expect(
			sql`UPDATE staff_role SET approved_by = ${first.id}, approved_at = now() WHERE id = ${grant.id}`.execute(
				database.backoffice
			)
		).rejects.toThrow(/staff_role_second_admin/);
		expect(await approve(second.id)).toBe('approved');
		expect(await approve(second.id)).toBe('not_found'); // once
		const after = await staffAccess(database.backoffice, first.id, now);
		expect(after?.roles).toEqual(['admin', 'relief_officer']);
		expect(after?.permissions.has('mynumber.read')).toBe(true);
		// A role without 個人番号 takes effect at once.
		const plain = await grantRole(database.backoffice, {
			municipalityCode: city,
			staffUserId: second.id,
			role: 'caseworker',
			validFrom: '2026-11-01',
			validUntil: null,
			grantedBy: first.id,
			reason: '兼務',
			now
		});
		expect(plain.approval_needed).toBe(false);
		expect((await staffAccess(database.backoffice, second.id, now))?.roles).toContain('caseworker');
	});

	it('follow the assignment dates, revocation and deactivation', async () => {
		const now = new Date('2026-11-22T03:00:00Z'); // 12:00 in Japan
		const admin = await createStaffUser(database.backoffice, {
			municipalityCode: city,
			loginId: 'admin1',
			displayName: '管理',
			departmentJa: '情報政策課',
			departmentEn: 'IT',
			roles: [{ role: 'admin', validFrom: '2026-04-01', validUntil: null }],
			createdBy: null,
			reason: 'setup',
			now
		});
		const worker = await createStaffUser(database.backoffice, {
			municipalityCode: city,
			loginId: 'worker1',
			displayName: '担当',
			departmentJa: '健康増進課',
			departmentEn: 'Health',
			roles: [
				{ role: 'caseworker', validFrom: '2026-11-22', validUntil: '2026-11-30' },
				{ role: 'approver', validFrom: '2026-12-01', validUntil: null }
			],
			createdBy: admin.id,
			reason: '人事異動',
			now
		});
		const today = await staffAccess(database.backoffice, worker.id, now);
		expect(today?.roles).toEqual(['caseworker']);
		expect(today?.permissions.has('application.process')).toBe(true);
		expect(
			(await staffAccess(database.backoffice, worker.id, new Date('2026-12-01T00:00:00Z')))?.roles
		).toEqual(['approver']);
		// Before the first day in Japan (2026-11-21 23:59 JST), no caseworker yet.
		expect(
			(await staffAccess(database.backoffice, worker.id, new Date('2026-11-21T14:59:00Z')))?.roles
		).toEqual([]);

		const assignment = await database.owner
			.selectFrom('staff_role')
			.select('id')
			.where('staff_user_id', '=', worker.id)
			.where('role_code', '=', 'caseworker')
			.executeTakeFirstOrThrow();
		await revokeRole(database.backoffice, {
			assignmentId: assignment.id,
			municipalityCode: city,
			revokedBy: admin.id,
			reason: '異動',
			now
		});
		expect((await staffAccess(database.backoffice, worker.id, now))?.roles).toEqual([]);

		await deactivateStaffUser(database.backoffice, {
			staffUserId: worker.id,
			municipalityCode: city,
			by: admin.id,
			reason: '退職',
			now
		});
		expect(await staffAccess(database.backoffice, worker.id, now)).toBeNull();
		await expect(
			deactivateStaffUser(database.backoffice, {
				staffUserId: admin.id,
				municipalityCode: city,
				by: admin.id,
				reason: 'x',
				now
			})
		).rejects.toThrow('self');

		const changes = await rightsChanges(database.backoffice, {
			municipalityCode: city,
			from: new Date('2026-11-01T00:00:00Z'),
			to: new Date('2026-12-31T00:00:00Z')
		});
		const mine = changes
			.filter((change) => change.loginId === 'worker1')
			.map((change) => change.kind);
		expect(mine).toEqual(
			expect.arrayContaining([
				'account_created',
				'role_granted',
				'role_granted',
				'role_revoked',
				'account_deactivated'
			])
		);
		expect(mine.filter((kind) => kind === 'role_revoked')).toHaveLength(2); // the second on deactivation
	});
});
