import { formOf } from '$lib/server/http/form';
import { signOutResponse } from '$lib/server/http/session';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async (event) =>
	signOutResponse(event, 'resident', {
		everywhere: (await formOf(event.request)).has('everywhere')
	});
