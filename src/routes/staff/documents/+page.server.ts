import { redirect } from '@sveltejs/kit';
import { documentRegister } from '$lib/server/documents/document-register';
import { answerPage } from '$lib/server/http/answer';
import { asStaff } from '$lib/server/http/caller';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => {
	const register = await answerPage(() =>
		documentRegister(...asStaff(locals), { number: url.searchParams.get('number') ?? '' })
	);
	if (register.found !== null) redirect(303, `/staff/documents/${register.found}`);
	return register;
};
