import { caseQueue } from '$lib/server/applications/cases';
import { db } from '$lib/server/db';
import { answerPage } from '$lib/server/http/answer';
import { staffCaller } from '$lib/server/http/caller';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) =>
	answerPage(() => caseQueue(db(), staffCaller(locals), Object.fromEntries(url.searchParams)));
