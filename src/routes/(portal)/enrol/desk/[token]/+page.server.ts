import { redirect } from '@sveltejs/kit';
import { claimByLink } from '$lib/server/auth/enrolment-http';
import type { Actions } from './$types';

// Opening the link shows a page; the claim happens on the button (a link preview must not use it).
export const actions: Actions = {
	default: async (event) => {
		const failed = await claimByLink(event, 'desk', event.params.token);
		if (failed) return failed;
		redirect(303, '/enrol/passkey');
	}
};
