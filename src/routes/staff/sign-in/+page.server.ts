import { redirect } from '@sveltejs/kit';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) => {
	if (locals.staff) redirect(303, '/staff');
	const ended = url.searchParams.get('ended');
	return {
		ended: ended === 'idle' || ended === 'absolute' || ended === 'revoked' ? ended : null,
		signedOut: url.searchParams.has('signed_out'),
		next: url.searchParams.get('next')
	};
};
