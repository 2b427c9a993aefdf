import { redirect } from '@sveltejs/kit';
import { createDraft } from '$lib/server/applications/store';
import { db } from '$lib/server/db';
import type { Actions } from './$types';

export const actions: Actions = {
	default: async ({ locals }) => {
		const resident = locals.resident!;
		const draft = await createDraft(db(), {
			municipalityCode: resident.municipalityCode,
			accountId: resident.accountId,
			kind: 'reissue',
			now: new Date()
		});
		redirect(303, `/applications/${draft.id}/person`);
	}
};
