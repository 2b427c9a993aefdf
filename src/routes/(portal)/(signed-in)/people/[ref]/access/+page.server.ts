import { db } from '$lib/server/db';
import { accessActionLabel } from '$lib/server/residents/access-actions';
import { accessLog } from '$lib/server/residents/household';
import { representedPerson } from '$lib/server/residents/household-http';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params, url }) => {
	const { person } = await representedPerson(locals, params.ref, 'audit.view');
	const city = await db()
		.selectFrom('municipality')
		.select('access_log_shows_staff_names')
		.where('municipality_code', '=', locals.resident!.municipalityCode)
		.executeTakeFirstOrThrow();
	const before = url.searchParams.get('before');
	const page = await accessLog(db(), locals.resident!.municipalityCode, person, {
		showNames: city.access_log_shows_staff_names,
		before
	});
	return {
		ref: person.ref,
		name: person.nameKanji,
		entries: page.entries.map((entry) => ({ ...entry, label: accessActionLabel(entry.action) })),
		older: page.older,
		paged: before !== null
	};
};
