// A resident's own passkeys: the list on the account page, a new name for one, and revoking one
// (on the portal zone, issue 27: the sessions it opened end with it; revoking the last one locks
// the person out until they prove who they are again, so they must say they understood).
import { m } from '$lib/paraglide/messages';
import { auditAs, requireResident, type Caller } from '../audit/caller';
import type { Executor, PortalZoneExecutor } from '../db';
import { DomainError } from '../errors';
import { isUuid } from '../ids';
import { addItem } from '../zone/items';
import { projectedCredentialsOf } from '../zone/projection';
import { listCredentials, renameCredential } from './credentials';
import { addPasskeyWithinMinutes } from './registration';

export type PasskeyRefusal = 'name_invalid' | 'not_found' | 'last_passkey';

export class PasskeyError extends DomainError<PasskeyRefusal> {
	protected readonly messages = {
		name_invalid: m.passkey_name_invalid,
		not_found: m.passkey_not_found,
		last_passkey: m.passkey_last_confirm
	};
}

/**
 * The account's passkeys, which one this session was opened with, and whether one may be added.
 * @audit none — the account's own authenticators (names and dates), shown to their holder only.
 */
export async function ownPasskeys(
	db: Executor,
	caller: Caller,
	input: {
		currentCredentialId: string;
		signedInAt: Date;
		/** Revoked on the portal, not yet taken in (passkeysRevokedHere). */
		revokedHere: readonly string[];
		now?: Date;
	}
) {
	requireResident(caller);
	const now = input.now ?? new Date();
	const credentials = await listCredentials(db, { realm: 'resident', id: caller.id });
	return {
		canAdd: now.getTime() - input.signedInAt.getTime() < addPasskeyWithinMinutes * 60_000,
		passkeys: credentials.map((credential) => ({
			id: credential.id,
			nickname: credential.nickname,
			createdAt: credential.created_at.toISOString(),
			lastUsedAt: credential.last_used_at?.toISOString() ?? null,
			synced: credential.backup_eligible,
			current: credential.id === input.currentCredentialId,
			revokedAt:
				credential.revoked_at?.toISOString() ??
				(input.revokedHere.includes(credential.id) ? now.toISOString() : null),
			flagged: credential.flagged_at !== null
		}))
	};
}

export async function renamePasskey(
	db: Executor,
	caller: Caller,
	input: { id: string; nickname: string }
): Promise<void> {
	requireResident(caller);
	const nickname = input.nickname.trim();
	if (!nickname || nickname.length > 60) throw new PasskeyError('name_invalid', 400);
	const owner = { realm: 'resident' as const, id: caller.id };
	if (!isUuid(input.id) || !(await renameCredential(db, owner, input.id, nickname))) {
		throw new PasskeyError('not_found', 404);
	}
	await auditAs(db, caller, {
		action: 'auth.credential_rename',
		objectType: 'webauthn_credential',
		objectId: input.id,
		result: 'ok'
	});
}

/**
 * The account's passkeys revoked on the portal whose revocation the back office has not taken in
 * yet: the list shows them revoked already.
 * @audit none — the account's own passkeys, to their holder
 */
export async function passkeysRevokedHere(
	zone: PortalZoneExecutor,
	caller: Caller
): Promise<string[]> {
	requireResident(caller);
	const published = await projectedCredentialsOf(zone, caller.id);
	if (published.length === 0) return [];
	const rows = await zone
		.selectFrom('credential_use')
		.select('credential_id')
		.where(
			'credential_id',
			'in',
			published.map((credential) => credential.id)
		)
		.where('revoked_at', 'is not', null)
		.execute();
	return rows.map((row) => row.credential_id);
}

/**
 * Revokes one of the account's passkeys on the portal zone (issue 27): it stops working here at
 * once, the sessions it opened end, and the revocation travels to the back office as an item,
 * which revokes its own row, tells the resident and publishes it (the audit entry is written
 * there). Revoking the last one locks the person out until they prove who they are again, so they
 * must say they understood.
 * @audit reported — a 'passkey_revoke' item, audited as auth.credential_revoke when taken in
 */
export async function revokePasskey(
	zone: PortalZoneExecutor,
	caller: Caller,
	input: { id: string; lastUnderstood: boolean; now?: Date }
): Promise<{ id: string }> {
	requireResident(caller);
	const now = input.now ?? new Date();
	if (!isUuid(input.id)) throw new PasskeyError('not_found', 404);
	const published = await projectedCredentialsOf(zone, caller.id);
	const revokedHere = new Set(await passkeysRevokedHere(zone, caller));
	const active = published.filter(
		(credential) => !credential.revoked && !revokedHere.has(credential.id)
	);
	const target = active.find((credential) => credential.id === input.id);
	if (!target) throw new PasskeyError('not_found', 404);
	if (active.length === 1 && !input.lastUnderstood) throw new PasskeyError('last_passkey', 409);
	await zone.transaction().execute(async (trx) => {
		await trx
			.insertInto('credential_use')
			.values({ credential_id: target.id, sign_count: String(target.signCount), revoked_at: now })
			.onConflict((conflict) => conflict.column('credential_id').doUpdateSet({ revoked_at: now }))
			.execute();
		await addItem(trx, {
			kind: 'passkey_revoke',
			resident_account_id: caller.id,
			body: JSON.stringify({
				credential: target.id,
				last: active.length === 1,
				...(caller.context ? { context: caller.context } : {})
			}),
			arrived_at: now,
			object_id: target.id
		});
		await trx
			.deleteFrom('resident_session')
			.where('credential_id', '=', target.id)
			.where('resident_account_id', '=', caller.id)
			.execute();
	});
	return { id: target.id };
}
