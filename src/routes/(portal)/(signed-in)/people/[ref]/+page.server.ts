import { getLocale } from '$lib/paraglide/runtime';
import { db } from '$lib/server/db';
import { answerPage } from '$lib/server/http/answer';
import { residentCaller } from '$lib/server/http/caller';
import { personRecord } from '$lib/server/residents/people';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, params }) =>
	answerPage(() =>
		personRecord(db(), residentCaller(locals), {
			ref: params.ref,
			locale: getLocale() === 'en' ? 'en' : 'ja'
		})
	);
