import { ownDrafts } from '$lib/server/applications/applicant';
import { applicationList } from '$lib/server/applications/sent';
import { answerPage } from '$lib/server/http/answer';
import { asResident, asResidentInPortalZone } from '$lib/server/http/caller';
import type { PageServerLoad } from './$types';

// What was sent is read from the portal zone's projection; the open drafts from where drafts
// still live (issue 27: they move to the portal zone with the wizard).
export const load: PageServerLoad = async ({ locals }) => ({
	applications: await answerPage(async () =>
		applicationList(...asResidentInPortalZone(locals), {
			drafts: await ownDrafts(...asResident(locals))
		})
	)
});
