// A resident's door to the people whose records they may see: themself and the children they
// represent now (household.ts says who). Another reference is "not found", with an audit entry
// (an IDOR attempt leaves a trace); every page shown is a view in the person's access log.
import type { AuditAction } from '../audit/actions';
import { recordAudit, recordAudits, type Actor } from '../audit/record';
import { requireResident, type Caller, type ResidentCaller } from '../audit/caller';
import type { Executor } from '../db';
import { AccessRefused } from '../errors';
import { accessActionLabel } from './access-actions';
import { takeNotices } from '../notifications/notices';
import {
	accessLog,
	representedPeople,
	vaccinationRecord,
	vaccinationRecords,
	type Person
} from './household';
import { nameInEnglish } from './passport-romaji';

async function representedPerson(
	db: Executor,
	caller: ResidentCaller,
	ref: string,
	action: AuditAction,
	now: Date
): Promise<Person> {
	// The caller is the account: its id, city and own 宛名番号.
	const people = await representedPeople(db, caller, now);
	const person = people.find((candidate) => candidate.ref === ref);
	const actor: Actor = {
		type: 'resident',
		id: caller.id,
		role: person && person.relation !== 'self' ? 'guardian' : 'resident'
	};
	await recordAudit(db, {
		municipalityCode: caller.municipalityCode,
		actor,
		context: caller.context,
		action,
		...(person
			? { subjectAtenaNumber: person.atenaNumber, result: 'ok' }
			: {
					objectType: 'person_ref',
					objectId: ref.slice(0, 64),
					result: 'denied',
					payload: { reason: 'not_represented' }
				})
	});
	if (!person) throw new AccessRefused('not_found');
	return person;
}

/** The person's 予防接種の記録 and what is due next, in the page's language. */
export async function personRecord(
	db: Executor,
	caller: Caller,
	input: { ref: string; locale: 'ja' | 'en' },
	now = new Date()
) {
	requireResident(caller);
	const person = await representedPerson(db, caller, input.ref, 'vaccination.view', now);
	const record = await vaccinationRecord(db, caller.municipalityCode, person, input.locale, now);
	return {
		ref: person.ref,
		person: {
			// In English, with the romaji beside the kanji (issue 25).
			name: input.locale === 'en' ? nameInEnglish(person) : person.nameKanji,
			kana: person.nameKana,
			birthDate: person.birthDate,
			relation: person.relation
		},
		...record
	};
}

/** Who used the person's records (閲覧履歴), newest first, a page at a time. */
export async function personAccessLog(
	db: Executor,
	caller: Caller,
	input: { ref: string; before: string | null },
	now = new Date()
) {
	requireResident(caller);
	const person = await representedPerson(db, caller, input.ref, 'audit.view', now);
	const city = await db
		.selectFrom('municipality')
		.select('access_log_shows_staff_names')
		.where('municipality_code', '=', caller.municipalityCode)
		.executeTakeFirstOrThrow();
	const page = await accessLog(db, caller.municipalityCode, person, {
		showNames: city.access_log_shows_staff_names,
		before: input.before
	});
	return {
		ref: person.ref,
		name: person.nameKanji,
		entries: page.entries.map((entry) => ({ ...entry, label: accessActionLabel(entry.action) })),
		older: page.older,
		paged: input.before !== null
	};
}

/**
 * The household dashboard: the resident and each child they represent, with what is due; the
 * account's notices (taken: each is shown once); the consent to electronic notices.
 */
export async function householdDashboard(
	db: Executor,
	caller: Caller,
	input: { locale: 'ja' | 'en' },
	now = new Date()
) {
	requireResident(caller);
	const people = await representedPeople(db, caller, now);
	const records = await vaccinationRecords(db, caller.municipalityCode, people, input.locale, now);
	// One view entry per person shown, appended in one statement.
	await recordAudits(
		db,
		people.map((person) => ({
			municipalityCode: caller.municipalityCode,
			actor: {
				type: 'resident' as const,
				id: caller.id,
				role: person.relation === 'self' ? ('resident' as const) : ('guardian' as const)
			},
			context: caller.context,
			action: 'vaccination.view' as const,
			subjectAtenaNumber: person.atenaNumber,
			result: 'ok' as const,
			payload: { page: 'dashboard' }
		}))
	);
	const household = people.map((person, index) => {
		const record = records[index]!;
		return {
			ref: person.ref,
			// In English, with the romaji beside the kanji (issue 25).
			name: input.locale === 'en' ? nameInEnglish(person) : person.nameKanji,
			relation: person.relation,
			birthDate: person.birthDate,
			given: record.history.length,
			due: record.due
				.filter((dose) => dose.status !== 'upcoming')
				.map((dose) => ({
					key: `${dose.vaccineCode}:${dose.doseCode}`,
					label: `${dose.vaccineName} ${dose.doseLabel}`,
					late: dose.status === 'late'
				}))
		};
	});
	const [consent, notices] = await Promise.all([
		db
			.selectFrom('signed_act')
			.select(['id', 'signed_at'])
			.where('resident_account_id', '=', caller.id)
			.where('kind', '=', 'consent')
			.orderBy('signed_at', 'desc')
			.executeTakeFirst(),
		takeNotices(db, caller.id, now)
	]);
	return {
		notices,
		name: people[0]!.nameKanji,
		household,
		consentedAt: consent?.signed_at.toISOString() ?? null
	};
}
