// The back office's front door. Until staff sign-in exists (identity issue), every request is
// refused as unauthenticated — the staff realm never renders without a session.
import { error } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = () => {
	error(401, `${m.staff_sign_in_required()} ${m.staff_sign_in_pending()}`);
};
