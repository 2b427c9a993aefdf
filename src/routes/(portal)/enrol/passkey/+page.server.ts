import { redirect } from '@sveltejs/kit';
import { claimedRegistration } from '$lib/server/auth/registration';
import { asPublic } from '$lib/server/http/caller';
import { ceremonyHash } from '$lib/server/http/ceremony';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ cookies, locals }) => {
	const claimed = await claimedRegistration(...(await asPublic(locals)), {
		realm: 'resident',
		ceremonyHash: ceremonyHash(cookies)
	});
	if (!claimed) redirect(303, '/enrol');
	return {};
};
