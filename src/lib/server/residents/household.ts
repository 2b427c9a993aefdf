// Whose records a signed-in resident may see and act on: their own, and those of children they
// represent as 法定代理人 (DOMAIN.md §2) — only while the link is valid (it ends the day before the
// 18th birthday), never when it is suppressed under a DV 支援措置, and only for a child still on
// the register. Pages name a person by an opaque reference derived from the account's secret
// user handle, so no 宛名番号 appears in a URL and another account's references mean nothing.
import { createHash } from 'node:crypto';
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { DB, Executor } from '../db';
import { tokyoDate } from '../time';
import { activeCatalogue } from '../vaccinations/active-catalogue';
import { dosesOnRecord, personKey, recordsOf, type PersonRecord } from './record-view';
import { sameCity } from '../db/same-city';

export type Person = {
	ref: string;
	atenaNumber: string;
	relation: 'self' | 'child';
	nameKanji: string;
	nameKana: string;
	birthDate: string;
	sex: 'male' | 'female';
};

export function personRef(userHandle: Buffer, atenaNumber: string): string {
	return createHash('sha256')
		.update(userHandle)
		.update(`:${atenaNumber}`)
		.digest('base64url')
		.slice(0, 22);
}

/** A resident account: whose data it may see is decided from this, as the register stands now. */
export type AccountOwner = { id: string; municipalityCode: string; atenaNumber: string };

/** The signed-in resident's account, as the rules here take it. */
export function accountOf(resident: {
	accountId: string;
	municipalityCode: string;
	atenaNumber: string;
}): AccountOwner {
	return {
		id: resident.accountId,
		municipalityCode: resident.municipalityCode,
		atenaNumber: resident.atenaNumber
	};
}

/**
 * The one rule of whom an account represents now (DOMAIN.md §5): itself, and each child with a
 * guardianship valid today, not suppressed for a DV 支援措置, still a resident. A condition on a
 * column holding a 宛名番号 (an application's subject, a document's), for queries that must not
 * show a child's data once the representation ends (issue 24, item 5).
 */
export function representedBy(
	account: AccountOwner,
	now: Date
): (eb: ExpressionBuilder<DB, keyof DB>, column: Expression<string | null>) => Expression<SqlBool> {
	const today = tokyoDate(now);
	return (eb, column) =>
		eb.or([
			eb(column, '=', account.atenaNumber),
			eb.exists(
				eb
					.selectFrom('guardianship as g')
					.innerJoin('resident as child', (join) =>
						sameCity(join, ['child.atena_number', 'g.child_atena_number'])
					)
					.select(sql`1`.as('one'))
					.where('g.municipality_code', '=', account.municipalityCode)
					.where('g.guardian_atena_number', '=', account.atenaNumber)
					.where((inner) => inner('g.child_atena_number', '=', column))
					.where('g.suppressed_for_dv', '=', false)
					.where('g.valid_from', '<=', today)
					.where('g.valid_until', '>=', today)
					.where('child.status', '=', 'resident')
			)
		]);
}

export async function representedPeople(
	db: Executor,
	account: AccountOwner,
	now: Date
): Promise<Person[]> {
	const columns = ['atena_number', 'name_kanji', 'name_kana', 'birth_date', 'sex'] as const;
	const represented = representedBy(account, now);
	const [self, children] = await Promise.all([
		db
			.selectFrom('resident_account')
			.innerJoin('resident', (join) =>
				sameCity(join, ['resident.atena_number', 'resident_account.atena_number'])
			)
			.select([
				'resident_account.user_handle',
				...columns.map((column) => `resident.${column}` as const)
			])
			.where('resident_account.id', '=', account.id)
			.where('resident_account.municipality_code', '=', account.municipalityCode)
			.where('resident_account.atena_number', '=', account.atenaNumber)
			.executeTakeFirstOrThrow(),
		// The children: the same rule every query about a child's data uses.
		db
			.selectFrom('resident')
			.select(columns.map((column) => `resident.${column}` as const))
			.where('resident.municipality_code', '=', account.municipalityCode)
			.where('resident.atena_number', '<>', account.atenaNumber)
			.where((eb) => represented(eb, eb.ref('resident.atena_number')))
			.orderBy('resident.birth_date')
			.execute()
	]);
	const { user_handle: handle, ...person } = self;
	return [
		{ ...person, relation: 'self' as const },
		...children.map((child) => ({ ...child, relation: 'child' as const }))
	].map((row) => ({
		ref: personRef(handle, row.atena_number),
		atenaNumber: row.atena_number,
		relation: row.relation,
		nameKanji: row.name_kanji,
		nameKana: row.name_kana,
		birthDate: row.birth_date,
		sex: row.sex as 'male' | 'female'
	}));
}

export type { PersonRecord, RecordedDose } from './record-view';

/** The person's doses on record (the 予防接種台帳) and what is due next, in the page's language. */
export async function vaccinationRecord(
	db: Executor,
	municipalityCode: string,
	person: Person,
	locale: 'ja' | 'en',
	now: Date
): Promise<PersonRecord> {
	return (await vaccinationRecords(db, municipalityCode, [person], locale, now))[0]!;
}

/**
 * The records of several people (a household) in the order given: the catalogue and the doses are
 * each read once for all of them, not once per person.
 */
export async function vaccinationRecords(
	db: Executor,
	municipalityCode: string,
	people: readonly Person[],
	locale: 'ja' | 'en',
	now: Date
): Promise<PersonRecord[]> {
	if (people.length === 0) return [];
	const [catalogue, doses] = await Promise.all([
		activeCatalogue(db, municipalityCode),
		dosesOnRecord(
			db,
			people.map((person) => ({
				municipality_code: municipalityCode,
				atena_number: person.atenaNumber
			}))
		)
	]);
	return recordsOf(
		catalogue,
		people.map((person) => ({
			birthDate: person.birthDate,
			sex: person.sex,
			doses:
				doses.get(
					personKey({ municipality_code: municipalityCode, atena_number: person.atenaNumber })
				) ?? []
		})),
		locale,
		tokyoDate(now)
	);
}
