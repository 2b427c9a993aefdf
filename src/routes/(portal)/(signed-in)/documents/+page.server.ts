import { residentDocuments } from '$lib/server/documents/issued';
import { answerPage } from '$lib/server/http/answer';
import { asResidentInPortalZone } from '$lib/server/http/caller';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals }) => ({
	documents: await answerPage(() => residentDocuments(...asResidentInPortalZone(locals)))
});
