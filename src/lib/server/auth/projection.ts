// Residents' passkeys as the back office publishes them to the portal zone (issue 27, topic
// 'credential', zone/shapes.ts `credentialView`): the public key the back office confirmed, whose
// it is, and whether it may still be used. Migration 0049 marks a credential when it changes and
// when its holder's residence status does.
import { sql } from 'kysely';
import type { Executor } from '../db';
import type { CredentialView } from '../zone/shapes';

/** The views of the credentials with these keys (a key with none: null, taken off the portal). */
export async function credentialViews(
	db: Executor,
	keys: readonly string[]
): Promise<Map<string, CredentialView | null>> {
	const views = new Map<string, CredentialView | null>(keys.map((key) => [key, null]));
	if (keys.length === 0) return views;
	const rows = await db
		.selectFrom('webauthn_credential as credential')
		.innerJoin('resident_account as account', 'account.id', 'credential.resident_account_id')
		.leftJoin('resident', (join) =>
			join
				.onRef('resident.municipality_code', '=', 'account.municipality_code')
				.onRef('resident.atena_number', '=', 'account.atena_number')
		)
		.select([
			'credential.id',
			'credential.credential_key',
			'credential.credential_id',
			'credential.municipality_code',
			'credential.public_key',
			'credential.transports',
			'credential.backup_eligible',
			'credential.sign_count',
			'credential.revoked_at',
			'credential.flagged_at',
			'credential.nickname',
			'credential.created_at',
			'account.id as account_id',
			'account.user_handle',
			sql<boolean>`resident.status = 'resident'`.as('active')
		])
		.where('credential.credential_key', 'in', [...keys])
		.execute();
	for (const row of rows) {
		views.set(row.credential_key, {
			id: row.id,
			account: row.account_id,
			municipalityCode: row.municipality_code,
			credentialId: row.credential_id,
			userHandle: row.user_handle.toString('base64url'),
			publicKey: row.public_key.toString('base64url'),
			transports: row.transports.slice(0, 8),
			backupEligible: row.backup_eligible,
			signCount: Number(row.sign_count),
			active: row.active === true,
			revokedAt: row.revoked_at?.toISOString() ?? null,
			flagged: row.flagged_at !== null,
			nickname: row.nickname.slice(0, 60),
			createdAt: row.created_at.toISOString()
		});
	}
	return views;
}
