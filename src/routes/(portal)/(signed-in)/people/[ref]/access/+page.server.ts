import { db } from '$lib/server/db';
import { answerPage } from '$lib/server/http/answer';
import { residentCaller } from '$lib/server/http/caller';
import { personAccessLog } from '$lib/server/residents/people';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, params, url }) =>
	answerPage(() =>
		personAccessLog(db(), residentCaller(locals), {
			ref: params.ref,
			before: url.searchParams.get('before')
		})
	);
