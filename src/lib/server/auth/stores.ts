// The two places an assertion is verified against (webauthn.ts `AssertionStore`):
//
// - the back office's own rows (`backOfficeStore`): staff sign-in, and a resident's passkey that
//   the back office itself confirms;
// - the portal zone's copy (`portalStore`, issue 27): a resident's sign-in and signed acts are
//   verified against the credential the back office confirmed and published (topic
//   'credential'), with the portal's own challenges, rate limits and signature counter. What the
//   portal cannot decide alone — a credential flagged because its counter went backwards, or
//   revoked after too many failures — it stops using at once and reports to the back office as an
//   item, which records it, tells the resident and publishes the credential so.
import { sql } from 'kysely';
import type { Executor, PortalZoneExecutor } from '../db';
import { notify } from '../notifications/notices';
import { addItem } from '../zone/items';
import { projectedCredential } from '../zone/projection';
import type { RequestContext } from '../zone/shapes';
import { userHandleOf } from './credentials';
import { clear, count, hitsSoFar, limits } from './rate-limit';
import {
	consumeChallenge,
	maxConsecutiveFailures,
	type AssertionStore,
	type AuthRealm,
	type KnownCredential
} from './webauthn';

/** The back office's credentials of one realm, with its rate limits. */
export function backOfficeStore(db: Executor, realm: AuthRealm): AssertionStore {
	const ownerColumn = realm === 'resident' ? 'resident_account_id' : 'staff_user_id';
	const countFailure = async (credential: KnownCredential, now: Date) => {
		await count(db, limits.failuresPerAccount(credential.ownerId), now);
		await db
			.updateTable('webauthn_credential')
			.set((eb) => ({
				consecutive_failures: eb('consecutive_failures', '+', 1),
				revoked_at: eb
					.case()
					.when('consecutive_failures', '>=', maxConsecutiveFailures - 1)
					.then(now)
					.else(eb.ref('revoked_at'))
					.end(),
				revoke_reason: eb
					.case()
					.when('consecutive_failures', '>=', maxConsecutiveFailures - 1)
					.then('too_many_failures')
					.else(eb.ref('revoke_reason'))
					.end()
			}))
			.where('id', '=', credential.id)
			.execute();
	};
	return {
		consumeChallenge: (challenge, binding, now) => consumeChallenge(db, challenge, binding, now),
		async credential(credentialId) {
			const row = await db
				.selectFrom('webauthn_credential')
				.selectAll()
				.where('credential_id', '=', credentialId)
				.executeTakeFirst();
			const ownerId = row?.[ownerColumn];
			if (!row || !ownerId) return null;
			return {
				id: row.id,
				credentialId: row.credential_id,
				ownerId,
				municipalityCode: row.municipality_code,
				publicKey: row.public_key,
				signCount: Number(row.sign_count),
				transports: row.transports,
				backupEligible: row.backup_eligible,
				revoked: row.revoked_at !== null,
				flagged: row.flagged_at !== null
			};
		},
		owner: (credential) => userHandleOf(db, realm, credential.ownerId),
		failuresSoFar: (ownerId, now) => hitsSoFar(db, limits.failuresPerAccount(ownerId), now),
		countFailure,
		async flagRegression(credential, now) {
			await db
				.updateTable('webauthn_credential')
				.set({ flagged_at: now, flag_reason: 'counter_regression' })
				.where('id', '=', credential.id)
				.execute();
			if (realm === 'resident') {
				await notify(db, {
					municipalityCode: credential.municipalityCode,
					accountId: credential.ownerId,
					kind: 'passkey_flagged',
					now
				});
			}
			await count(db, limits.failuresPerAccount(credential.ownerId), now);
		},
		async recordUse(credential, use, now) {
			const updated = await db
				.updateTable('webauthn_credential')
				.set({
					sign_count: use.signCount,
					backup_state: use.backupState,
					last_used_at: now,
					consecutive_failures: 0
				})
				.where('id', '=', credential.id)
				.where('sign_count', '=', String(credential.signCount))
				.executeTakeFirst();
			return updated.numUpdatedRows === 1n;
		},
		clearFailures: (ownerId) => clear(db, limits.failuresPerAccount(ownerId))
	};
}

/** Why the portal stopped using a credential, as it reports it to the back office. */
export type CredentialFlagReason = 'counter_regression' | 'too_many_failures';

/**
 * A resident's passkeys as the portal zone knows them: the publication, and the portal's own use
 * of each (its counter, its failures, a flag it raised). `context` goes with a flag it reports.
 */
export function portalStore(
	zone: PortalZoneExecutor,
	context?: RequestContext | null
): AssertionStore {
	// What credential() read, for owner() and the compare-and-swap of recordUse().
	const seen = new Map<
		string,
		{ handle: Buffer; active: boolean; usedCount: number | null; publishedCount: number }
	>();
	const flag = async (credential: KnownCredential, reason: CredentialFlagReason, now: Date) => {
		await zone
			.insertInto('credential_use')
			.values({
				credential_id: credential.id,
				sign_count: String(credential.signCount),
				flagged_at: now,
				flag_reason: reason
			})
			.onConflict((conflict) =>
				conflict.column('credential_id').doUpdateSet({ flagged_at: now, flag_reason: reason })
			)
			.execute();
		await addItem(zone, {
			kind: 'credential_flag',
			resident_account_id: credential.ownerId,
			body: JSON.stringify({
				credential: credential.id,
				reason,
				...(context ? { context } : {})
			}),
			arrived_at: now,
			object_id: null
		});
	};
	return {
		consumeChallenge: (challenge, binding, now) => consumeChallenge(zone, challenge, binding, now),
		async credential(credentialId) {
			const view = await projectedCredential(zone, credentialId);
			if (!view) return null;
			const use = await zone
				.selectFrom('credential_use')
				.select(['sign_count', 'flagged_at', 'revoked_at'])
				.where('credential_id', '=', view.id)
				.executeTakeFirst();
			const usedCount = use ? Number(use.sign_count) : null;
			seen.set(view.id, {
				handle: Buffer.from(view.userHandle, 'base64url'),
				active: view.active,
				usedCount,
				publishedCount: view.signCount
			});
			return {
				id: view.id,
				credentialId: view.credentialId,
				ownerId: view.account,
				municipalityCode: view.municipalityCode,
				publicKey: Buffer.from(view.publicKey, 'base64url'),
				signCount: Math.max(usedCount ?? 0, view.signCount),
				transports: view.transports,
				backupEligible: view.backupEligible,
				// Revoked by its holder here, before the back office has published it so.
				revoked: view.revokedAt !== null || (use?.revoked_at ?? null) !== null,
				flagged: view.flagged || (use?.flagged_at ?? null) !== null
			};
		},
		async owner(credential) {
			const known = seen.get(credential.id);
			return known ? { handle: known.handle, active: known.active } : null;
		},
		failuresSoFar: (ownerId, now) => hitsSoFar(zone, limits.failuresPerAccount(ownerId), now),
		async countFailure(credential, now) {
			await count(zone, limits.failuresPerAccount(credential.ownerId), now);
			const row = await zone
				.insertInto('credential_use')
				.values({
					credential_id: credential.id,
					sign_count: String(credential.signCount),
					consecutive_failures: 1
				})
				.onConflict((conflict) =>
					conflict
						.column('credential_id')
						.doUpdateSet({ consecutive_failures: sql`credential_use.consecutive_failures + 1` })
				)
				.returning(['consecutive_failures', 'flagged_at'])
				.executeTakeFirstOrThrow();
			if (row.consecutive_failures >= maxConsecutiveFailures && row.flagged_at === null)
				await flag(credential, 'too_many_failures', now);
		},
		async flagRegression(credential, now) {
			await flag(credential, 'counter_regression', now);
			await count(zone, limits.failuresPerAccount(credential.ownerId), now);
		},
		async recordUse(credential, use, now) {
			const known = seen.get(credential.id);
			const changes = {
				sign_count: String(use.signCount),
				backup_state: use.backupState,
				last_used_at: now,
				consecutive_failures: 0
			};
			if (known?.usedCount === null || known?.usedCount === undefined) {
				// The first use this portal sees: the row is new, unless a parallel first use won.
				const inserted = await zone
					.insertInto('credential_use')
					.values({ credential_id: credential.id, ...changes })
					.onConflict((conflict) => conflict.column('credential_id').doNothing())
					.executeTakeFirst();
				if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1) return true;
				// A row another path wrote first (a failure counted): take its counter as the base.
				const updated = await zone
					.updateTable('credential_use')
					.set(changes)
					.where('credential_id', '=', credential.id)
					.where('sign_count', '<=', String(known?.publishedCount ?? 0))
					.where('last_used_at', 'is', null)
					.executeTakeFirst();
				return updated.numUpdatedRows === 1n;
			}
			const updated = await zone
				.updateTable('credential_use')
				.set(changes)
				.where('credential_id', '=', credential.id)
				.where('sign_count', '=', String(known.usedCount))
				.executeTakeFirst();
			return updated.numUpdatedRows === 1n;
		},
		clearFailures: (ownerId) => clear(zone, limits.failuresPerAccount(ownerId))
	};
}
