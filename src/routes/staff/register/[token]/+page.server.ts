import { redirect } from '@sveltejs/kit';
import { claimByLink } from '$lib/server/auth/enrolment-http';
import type { Actions } from './$types';

export const actions: Actions = {
	default: async (event) => {
		const failed = await claimByLink(event, 'staff', event.params.token);
		if (failed) return failed;
		redirect(303, '/staff/register');
	}
};
