import { fail, redirect } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages';
import { claimFromForm } from '$lib/server/http/enrolment';
import type { Actions } from './$types';

// Opening the link shows a page; the claim happens on the button (a link preview must not use it).
export const actions: Actions = {
	default: async (event) => {
		const token = event.params.token.slice(0, 64);
		const outcome = await claimFromForm(event, { by: 'desk', token });
		if (outcome === 'limited') return fail(429, { message: m.auth_rate_limited() });
		if (outcome === 'declined') return fail(400, { message: m.enrol_link_failed() });
		redirect(303, '/enrol/passkey');
	}
};
