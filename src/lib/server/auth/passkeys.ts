// A resident's own passkeys: the list on the account page, a new name for one, and revoking one
// (the sessions it opened end with it; revoking the last one locks the person out until they
// prove who they are again, so they must say they understood).
import { m } from '$lib/paraglide/messages';
import { auditAs, requireResident, type Caller } from '../audit/caller';
import { config } from '../config';
import type { Executor, PortalZoneExecutor } from '../db';
import { DomainError } from '../errors';
import { isUuid } from '../ids';
import { notify } from '../notifications/notices';
import { listCredentials, renameCredential, revokeCredential } from './credentials';
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
	input: { currentCredentialId: string; signedInAt: Date; now?: Date }
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
			revokedAt: credential.revoked_at?.toISOString() ?? null,
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
 * The sessions a passkey the resident revoked had opened end at once, in the portal zone (the
 * revocation's publication that follows would end them too, a few seconds later).
 * @audit none — the revocation is audited (revokePasskey)
 */
export async function endRevokedPasskeySessions(
	zone: PortalZoneExecutor,
	caller: Caller,
	input: { id: string }
): Promise<void> {
	requireResident(caller);
	await zone
		.deleteFrom('resident_session')
		.where('credential_id', '=', input.id)
		.where('resident_account_id', '=', caller.id)
		.execute();
}

/** Revokes one of the account's passkeys; returns its id (the route ends a session it opened). */
export async function revokePasskey(
	db: Executor,
	caller: Caller,
	input: { id: string; lastUnderstood: boolean; now?: Date }
): Promise<{ id: string }> {
	requireResident(caller);
	const now = input.now ?? new Date();
	const owner = { realm: 'resident' as const, id: caller.id };
	if (!isUuid(input.id)) throw new PasskeyError('not_found', 404);
	const active = (await listCredentials(db, owner)).filter((c) => !c.revoked_at);
	if (active.length === 1 && active[0]!.id === input.id && !input.lastUnderstood) {
		throw new PasskeyError('last_passkey', 409);
	}
	const revoked = await db.transaction().execute(async (trx) => {
		const row = await revokeCredential(trx, owner, input.id, 'by_owner', now);
		if (row) {
			await notify(trx, {
				municipalityCode: caller.municipalityCode,
				accountId: caller.id,
				kind: 'passkey_revoked',
				portalUrl: `${config().origin}/sign-in`,
				now
			});
			await auditAs(trx, caller, {
				action: 'auth.credential_revoke',
				objectType: 'webauthn_credential',
				objectId: input.id,
				result: 'ok',
				payload: { reason: 'by_owner', last: active.length === 1 }
			});
		}
		return row;
	});
	if (!revoked) throw new PasskeyError('not_found', 404);
	return { id: revoked.id };
}
