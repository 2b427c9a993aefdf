import { ownApplicationList } from '$lib/server/applications/applicant';
import { asResident } from '$lib/server/http/caller';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => ({
	applications: await ownApplicationList(...asResident(locals))
});
