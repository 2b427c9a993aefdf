import { signIn } from '$lib/server/auth/sign-in';
import {
	ceremony,
	ceremonyHash,
	clientOf,
	readJson,
	sessionCookieOf,
	setSessionCookie
} from '$lib/server/http/ceremony';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = (event) =>
	ceremony(event, { realm: 'staff', action: 'auth.sign_in' }, async (db, caller) => {
		const { cookie, redirect } = await signIn(db, caller, {
			realm: 'staff',
			response: await readJson(event.request),
			ceremonyHash: ceremonyHash(event.cookies),
			previousSession: sessionCookieOf(event, 'staff'),
			client: clientOf(event),
			next: event.url.searchParams.get('next')
		});
		setSessionCookie(event.cookies, cookie);
		return { redirect };
	});
