import { signOut } from '$lib/server/auth/sign-out';
import { formOf } from '$lib/server/http/form';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async (event) =>
	signOut(event, 'resident', { everywhere: (await formOf(event.request)).has('everywhere') });
