import { takeNotices } from '$lib/server/auth/notices';
import { db } from '$lib/server/db';
import type { PageServerLoad } from './$types';

// Issue 4 builds the household dashboard here; for now: who is signed in, and their consent.
export const load: PageServerLoad = async ({ locals, url }) => {
	const resident = locals.resident!;
	const person = await db()
		.selectFrom('resident')
		.select(['name_kanji', 'name_romaji'])
		.where('municipality_code', '=', resident.municipalityCode)
		.where('atena_number', '=', resident.atenaNumber)
		.executeTakeFirstOrThrow();
	const consent = await db()
		.selectFrom('signed_act')
		.select(['id', 'signed_at'])
		.where('resident_account_id', '=', resident.accountId)
		.where('kind', '=', 'consent')
		.orderBy('signed_at', 'desc')
		.executeTakeFirst();
	return {
		notices: await takeNotices(db(), resident.accountId, new Date()),
		name: person.name_kanji,
		welcome: url.searchParams.has('welcome'),
		consentedAt: consent?.signed_at.toISOString() ?? null
	};
};
