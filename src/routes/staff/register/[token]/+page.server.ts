import { fail, redirect } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages';
import { claimStaffLink } from '$lib/server/auth/registration';
import { asPublic } from '$lib/server/http/caller';
import { ceremonyHash, clientOf } from '$lib/server/http/ceremony';
import type { Actions } from './$types';

export const actions: Actions = {
	default: async (event) => {
		const failure = await claimStaffLink(...(await asPublic(event.locals)), {
			token: event.params.token,
			ceremonyHash: ceremonyHash(event.cookies),
			client: clientOf(event)
		});
		if (failure) return fail(400, { message: m.enrol_link_failed() });
		redirect(303, '/staff/register');
	}
};
