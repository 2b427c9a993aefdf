// Passkeys as records: binding a verified new credential to its owner, listing, renaming and
// revoking them. Revoking ends the sessions the credential opened (ASVS 7.4.3).
import { randomBytes } from 'node:crypto';
import type { Executor } from '../db';
import { endSessionsOfCredential } from './sessions';
import type { AuthRealm, CredentialRow, NewCredential } from './webauthn';
import { AuthFailure } from './failures';
import { tokyoDate } from '../time';
import { sameCity } from '../db/same-city';

export type Owner = { realm: AuthRealm; id: string };

const ownerColumn = (realm: AuthRealm) =>
	realm === 'resident' ? ('resident_account_id' as const) : ('staff_user_id' as const);

/** The resident's account, created on first enrolment with a random 32-byte user handle. */
export async function ensureResidentAccount(
	db: Executor,
	input: { municipalityCode: string; atenaNumber: string; now: Date }
): Promise<{ id: string; user_handle: Buffer }> {
	await db
		.insertInto('resident_account')
		.values({
			municipality_code: input.municipalityCode,
			atena_number: input.atenaNumber,
			user_handle: randomBytes(32),
			created_at: input.now
		})
		.onConflict((conflict) => conflict.columns(['municipality_code', 'atena_number']).doNothing())
		.execute();
	return db
		.selectFrom('resident_account')
		.select(['id', 'user_handle'])
		.where('municipality_code', '=', input.municipalityCode)
		.where('atena_number', '=', input.atenaNumber)
		.executeTakeFirstOrThrow();
}

export async function userHandleOf(
	db: Executor,
	realm: AuthRealm,
	ownerId: string
): Promise<{ handle: Buffer; active: boolean } | null> {
	if (realm === 'resident') {
		const row = await db
			.selectFrom('resident_account')
			.innerJoin('resident', (join) =>
				sameCity(join, ['resident.atena_number', 'resident_account.atena_number'])
			)
			.select(['resident_account.user_handle', 'resident.status'])
			.where('resident_account.id', '=', ownerId)
			.executeTakeFirst();
		// A person who moved out or died keeps their record but cannot sign in.
		return row ? { handle: row.user_handle, active: row.status === 'resident' } : null;
	}
	const row = await db
		.selectFrom('staff_user')
		.select(['user_handle', 'active'])
		.where('id', '=', ownerId)
		.executeTakeFirst();
	return row ? { handle: row.user_handle, active: row.active } : null;
}

export async function addCredential(
	db: Executor,
	input: {
		owner: Owner;
		municipalityCode: string;
		credential: NewCredential;
		nickname: string;
		enrolmentId: string | null;
		now: Date;
	}
): Promise<CredentialRow> {
	const { credential } = input;
	const existing = await db
		.selectFrom('webauthn_credential')
		.select('id')
		.where('credential_id', '=', credential.credentialId)
		.executeTakeFirst();
	if (existing) throw new AuthFailure('credential_duplicate');
	return db
		.insertInto('webauthn_credential')
		.values({
			credential_id: credential.credentialId,
			municipality_code: input.municipalityCode,
			[ownerColumn(input.owner.realm)]: input.owner.id,
			public_key: credential.publicKey,
			sign_count: credential.signCount,
			transports: credential.transports,
			backup_eligible: credential.backupEligible,
			backup_state: credential.backupState,
			aaguid: credential.aaguid,
			attestation_format: credential.attestationFormat,
			nickname: input.nickname.slice(0, 60),
			enrolment_id: input.enrolmentId,
			created_at: input.now
		})
		.returningAll()
		.executeTakeFirstOrThrow();
}

export async function listCredentials(db: Executor, owner: Owner): Promise<CredentialRow[]> {
	return db
		.selectFrom('webauthn_credential')
		.selectAll()
		.where(ownerColumn(owner.realm), '=', owner.id)
		.orderBy('created_at')
		.execute();
}

export async function activeCredentials(db: Executor, owner: Owner) {
	return db
		.selectFrom('webauthn_credential')
		.select(['id', 'credential_id', 'transports'])
		.where(ownerColumn(owner.realm), '=', owner.id)
		.where('revoked_at', 'is', null)
		.execute();
}

export async function renameCredential(
	db: Executor,
	owner: Owner,
	credentialRowId: string,
	nickname: string
): Promise<boolean> {
	const result = await db
		.updateTable('webauthn_credential')
		.set({ nickname: nickname.trim().slice(0, 60) })
		.where('id', '=', credentialRowId)
		.where(ownerColumn(owner.realm), '=', owner.id)
		.where('revoked_at', 'is', null)
		.executeTakeFirst();
	return result.numUpdatedRows === 1n;
}

/**
 * Revokes one of the owner's credentials. A staff member's sessions it opened end with it here;
 * a resident's live in the portal zone and end there (passkeys.ts, and the publication).
 */
export async function revokeCredential(
	db: Executor,
	owner: Owner,
	credentialRowId: string,
	reason: string,
	now: Date
): Promise<CredentialRow | null> {
	const row = await db
		.updateTable('webauthn_credential')
		.set({ revoked_at: now, revoke_reason: reason })
		.where('id', '=', credentialRowId)
		.where(ownerColumn(owner.realm), '=', owner.id)
		.where('revoked_at', 'is', null)
		.returningAll()
		.executeTakeFirst();
	if (row && owner.realm === 'staff') await endSessionsOfCredential(db, 'staff', row.id);
	return row ?? null;
}

/** A short default name from the authenticator's transports and the date, which people can change. */
export function defaultNickname(transports: string[], locale: 'ja' | 'en', now: Date): string {
	const date = tokyoDate(now);
	const kind = transports.includes('internal')
		? locale === 'ja'
			? 'この端末'
			: 'This device'
		: transports.includes('hybrid')
			? locale === 'ja'
				? 'スマートフォン'
				: 'Phone'
			: transports.some((transport) => ['usb', 'nfc', 'ble'].includes(transport))
				? locale === 'ja'
					? 'セキュリティキー'
					: 'Security key'
				: locale === 'ja'
					? 'パスキー'
					: 'Passkey';
	return `${kind} (${date})`;
}

/**
 * The 宛名番号 of a resident account, for the doors that still read the back office's tables from
 * a resident's request (drafts and the wizard, a desk request made online) until
 * they move to the portal zone (docs/zones.md § "Next"); the session itself no longer holds it.
 */
export async function accountAtenaNumber(db: Executor, accountId: string): Promise<string | null> {
	const row = await db
		.selectFrom('resident_account')
		.select('atena_number')
		.where('id', '=', accountId)
		.executeTakeFirst();
	return row?.atena_number ?? null;
}
