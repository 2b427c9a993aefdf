import { caseQueue } from '$lib/server/applications/cases';
import { answerPage } from '$lib/server/http/answer';
import { asStaff } from '$lib/server/http/caller';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) =>
	answerPage(() => caseQueue(...asStaff(locals), Object.fromEntries(url.searchParams)));
