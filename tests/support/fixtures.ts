// Small rows the integration tests need, written as the migration owner.
import { sql } from 'kysely';
import { randomBytes } from 'node:crypto';
import type { Database } from '../../src/lib/server/db';
import { addCredential, ensureResidentAccount } from '../../src/lib/server/auth/credentials';
import { createStaffUser } from '../../src/lib/server/staff/accounts';

export async function insertTestMunicipality(db: Database, code: string): Promise<void> {
	await sql`INSERT INTO municipality (municipality_code, prefecture_ja, prefecture_en, name_ja, name_kana, name_en,
		mayor_title_ja, mayor_title_en, division_ja, division_en, desk_name_ja, desk_name_en, desk_postal_code,
		desk_address_ja, desk_address_en, desk_phone, desk_hours_ja, desk_hours_en)
		VALUES (${code}, '東京都', 'Tokyo', 'テスト市', 'てすとし', 'Test City', 'テスト市長', 'Mayor of Test City',
		'健康増進課', 'Health Promotion Division', '窓口', 'Desk', '100-0001', '住所', 'Address', '03-0000-0000', '平日', 'Weekdays')
		ON CONFLICT DO NOTHING`.execute(db);
}

export async function insertTestResident(
	db: Database,
	code: string,
	atena: string,
	birthDate = '1990-04-01',
	status: 'resident' | 'moved_out' = 'resident'
): Promise<void> {
	await sql`INSERT INTO resident (municipality_code, atena_number, household_number, is_household_head,
		relationship, name_kanji, name_kana, birth_date, sex, postal_code, address, resident_type, status,
		became_resident_on, became_resident_reason, address_set_on, removed_on)
		VALUES (${code}, ${atena}, ${`H${atena}`}, true, '世帯主', '試験　太郎', 'シケン　タロウ', ${birthDate},
		'male', '100-0001', 'テスト市1-1', 'japanese', ${status}, '2000-01-01', 'moved_in', '2000-01-01',
		${status === 'resident' ? null : '2025-01-01'})`.execute(db);
}

/** A member of staff with no role yet (a desk link's issuer, a passkey's owner). */
export function insertTestStaff(
	db: Database,
	code: string,
	input: { loginId: string; displayName?: string; now?: Date }
) {
	return createStaffUser(db, {
		municipalityCode: code,
		loginId: input.loginId,
		displayName: input.displayName ?? '職員',
		departmentJa: '課',
		departmentEn: 'Div',
		roles: [],
		createdBy: null,
		reason: 'test',
		now: input.now ?? new Date()
	});
}

/** A resident's portal account with one (software) passkey, as enrolment leaves it. */
export async function residentWithCredential(
	db: Database,
	code: string,
	atena: string,
	now = new Date()
) {
	const account = await ensureResidentAccount(db, {
		municipalityCode: code,
		atenaNumber: atena,
		now
	});
	const credential = await addCredential(db, {
		owner: { realm: 'resident', id: account.id },
		municipalityCode: code,
		credential: {
			credentialId: randomBytes(16).toString('base64url'),
			publicKey: randomBytes(77),
			signCount: 0,
			transports: ['internal'],
			backupEligible: false,
			backupState: false,
			aaguid: '00000000-0000-0000-0000-000000000000',
			attestationFormat: 'none'
		},
		nickname: 'test',
		enrolmentId: null,
		now
	});
	return { account, credential };
}
