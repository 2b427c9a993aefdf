import { getLocale } from '$lib/paraglide/runtime';
import { db } from '$lib/server/db';
import { vaccinationRecord } from '$lib/server/residents/household';
import { nameInEnglish } from '$lib/server/residents/passport-romaji';
import { representedPerson } from '$lib/server/residents/household-http';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params }) => {
	const { person } = await representedPerson(locals, params.ref, 'vaccination.view');
	const record = await vaccinationRecord(
		db(),
		locals.resident!.municipalityCode,
		person,
		getLocale() === 'en' ? 'en' : 'ja',
		new Date()
	);
	return {
		ref: person.ref,
		person: {
			// In English, with the romaji beside the kanji (issue 25).
			name: getLocale() === 'en' ? nameInEnglish(person) : person.nameKanji,
			kana: person.nameKana,
			birthDate: person.birthDate,
			relation: person.relation
		},
		...record
	};
};
