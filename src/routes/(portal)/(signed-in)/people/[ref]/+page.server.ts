import { error } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages';
import { getLocale } from '$lib/paraglide/runtime';
import { recordAudit } from '$lib/server/audit/record';
import { db } from '$lib/server/db';
import { representedPeople, vaccinationRecord } from '$lib/server/residents/household';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params }) => {
	const resident = locals.resident!;
	const now = new Date();
	const people = await representedPeople(
		db(),
		{
			id: resident.accountId,
			municipalityCode: resident.municipalityCode,
			atenaNumber: resident.atenaNumber
		},
		now
	);
	const person = people.find((candidate) => candidate.ref === params.ref);
	if (!person) {
		// Someone else's reference, an adult child, a DV-suppressed link: nothing to show, and a
		// record that it was tried.
		await recordAudit(db(), {
			municipalityCode: resident.municipalityCode,
			actor: { type: 'resident', id: resident.accountId, role: 'resident' },
			context: locals.audit,
			action: 'vaccination.view',
			objectType: 'person_ref',
			objectId: params.ref.slice(0, 64),
			result: 'denied',
			payload: { reason: 'not_represented' }
		});
		error(404, m.error_not_found());
	}
	const record = await vaccinationRecord(
		db(),
		resident.municipalityCode,
		person,
		getLocale() === 'en' ? 'en' : 'ja',
		now
	);
	await recordAudit(db(), {
		municipalityCode: resident.municipalityCode,
		actor: {
			type: 'resident',
			id: resident.accountId,
			role: person.relation === 'self' ? 'resident' : 'guardian'
		},
		context: locals.audit,
		action: 'vaccination.view',
		subjectAtenaNumber: person.atenaNumber,
		result: 'ok'
	});
	return {
		person: {
			name: person.nameKanji,
			kana: person.nameKana,
			birthDate: person.birthDate,
			relation: person.relation
		},
		...record
	};
};
