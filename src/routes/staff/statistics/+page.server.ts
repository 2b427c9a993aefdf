import { getLocale } from '$lib/paraglide/runtime';
import { db } from '$lib/server/db';
import { answerPage } from '$lib/server/http/answer';
import { staffCaller } from '$lib/server/http/caller';
import { statistics } from '$lib/server/statistics/statistics';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) =>
	answerPage(() =>
		statistics(db(), staffCaller(locals), {
			year: url.searchParams.get('year'),
			locale: getLocale() === 'en' ? 'en' : 'ja'
		})
	);
