import { redirect } from '@sveltejs/kit';
import { claimedEnrolment } from '$lib/server/auth/enrolment';
import { ceremonyHash } from '$lib/server/auth/http';
import { db } from '$lib/server/db';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ cookies }) => {
	const enrolment = await claimedEnrolment(db(), {
		ceremonyHash: ceremonyHash(cookies),
		route: 'resident',
		now: new Date()
	});
	if (!enrolment) redirect(303, '/enrol');
	return {};
};
