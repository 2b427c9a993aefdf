import { answerPage } from '$lib/server/http/answer';
import { asResidentInPortalZone } from '$lib/server/http/caller';
import { personAccessLog } from '$lib/server/residents/people';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, params, url }) =>
	answerPage(() =>
		personAccessLog(...asResidentInPortalZone(locals), {
			ref: params.ref,
			from: url.searchParams.get('from')
		})
	);
