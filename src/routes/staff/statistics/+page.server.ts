import { getLocale } from '$lib/paraglide/runtime';
import { answerPage } from '$lib/server/http/answer';
import { asStaff } from '$lib/server/http/caller';
import { statistics } from '$lib/server/statistics/statistics';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) =>
	answerPage(() =>
		statistics(...asStaff(locals), {
			year: url.searchParams.get('year'),
			locale: getLocale() === 'en' ? 'en' : 'ja'
		})
	);
