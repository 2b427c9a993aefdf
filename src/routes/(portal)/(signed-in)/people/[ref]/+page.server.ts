import { getLocale } from '$lib/paraglide/runtime';
import { answerPage } from '$lib/server/http/answer';
import { asResidentInPortalZone } from '$lib/server/http/caller';
import { personRecord } from '$lib/server/residents/people';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, params }) =>
	answerPage(() =>
		personRecord(...asResidentInPortalZone(locals), {
			ref: params.ref,
			locale: getLocale() === 'en' ? 'en' : 'ja'
		})
	);
