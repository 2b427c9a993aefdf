import { signOut } from '$lib/server/auth/sign-out';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async (event) =>
	signOut(event, 'staff', { everywhere: (await event.request.formData()).has('everywhere') });
