import { redirect } from '@sveltejs/kit';
import { claimedStaffRegistration } from '$lib/server/auth/registration';
import { asPublic } from '$lib/server/http/caller';
import { ceremonyHash } from '$lib/server/http/ceremony';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ cookies, locals }) => {
	const claimed = await claimedStaffRegistration(...(await asPublic(locals)), {
		ceremonyHash: ceremonyHash(cookies)
	});
	if (!claimed) redirect(303, '/staff/sign-in');
	return { loginId: claimed.loginId, displayName: claimed.displayName };
};
