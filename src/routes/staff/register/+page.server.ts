import { redirect } from '@sveltejs/kit';
import { claimedEnrolment } from '$lib/server/auth/enrolment';
import { ceremonyHash } from '$lib/server/auth/http';
import { db } from '$lib/server/db';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ cookies }) => {
	const enrolment = await claimedEnrolment(db(), {
		ceremonyHash: ceremonyHash(cookies),
		route: 'staff',
		now: new Date()
	});
	if (!enrolment) redirect(303, '/staff/sign-in');
	const user = await db()
		.selectFrom('staff_user')
		.select(['login_id', 'display_name'])
		.where('id', '=', enrolment.staff_user_id!)
		.executeTakeFirstOrThrow();
	return { loginId: user.login_id, displayName: user.display_name };
};
