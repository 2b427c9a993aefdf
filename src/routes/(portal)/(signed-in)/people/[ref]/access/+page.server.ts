import { answerPage } from '$lib/server/http/answer';
import { asResident } from '$lib/server/http/caller';
import { personAccessLog } from '$lib/server/residents/people';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, params, url }) =>
	answerPage(() =>
		personAccessLog(...asResident(locals), {
			ref: params.ref,
			before: url.searchParams.get('before')
		})
	);
