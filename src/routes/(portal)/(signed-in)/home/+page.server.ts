import { recordAudits } from '$lib/server/audit/record';
import { takeNotices } from '$lib/server/notifications/notices';
import { db } from '$lib/server/db';
import { getLocale } from '$lib/paraglide/runtime';
import { accountOf, representedPeople, vaccinationRecords } from '$lib/server/residents/household';
import { nameInEnglish } from '$lib/server/residents/passport-romaji';
import type { PageServerLoad } from './$types';

// The household dashboard: the resident and each child they represent, with what is due; account
// notices; the consent to electronic notices.
export const load: PageServerLoad = async ({ locals, url }) => {
	const resident = locals.resident!;
	const now = new Date();
	const people = await representedPeople(db(), accountOf(resident), now);
	const locale = getLocale() === 'en' ? 'en' : 'ja';
	const records = await vaccinationRecords(db(), resident.municipalityCode, people, locale, now);
	// One view entry per person shown, appended in one statement.
	await recordAudits(
		db(),
		people.map((person) => ({
			municipalityCode: resident.municipalityCode,
			actor: {
				type: 'resident' as const,
				id: resident.accountId,
				role: person.relation === 'self' ? ('resident' as const) : ('guardian' as const)
			},
			context: locals.audit,
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
			name: getLocale() === 'en' ? nameInEnglish(person) : person.nameKanji,
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
		db()
			.selectFrom('signed_act')
			.select(['id', 'signed_at'])
			.where('resident_account_id', '=', resident.accountId)
			.where('kind', '=', 'consent')
			.orderBy('signed_at', 'desc')
			.executeTakeFirst(),
		takeNotices(db(), resident.accountId, now)
	]);
	return {
		notices,
		name: people[0]!.nameKanji,
		household,
		welcome: url.searchParams.has('welcome'),
		consentedAt: consent?.signed_at.toISOString() ?? null
	};
};
