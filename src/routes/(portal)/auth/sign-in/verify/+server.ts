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
	ceremony(event, { realm: 'resident', action: 'auth.sign_in' }, async (db, caller) => {
		const { cookie, redirect } = await signIn(db, caller, {
			realm: 'resident',
			response: await readJson(event.request),
			ceremonyHash: ceremonyHash(event.cookies),
			previousSession: sessionCookieOf(event, 'resident'),
			client: clientOf(event),
			next: event.url.searchParams.get('next')
		});
		setSessionCookie(event.cookies, cookie);
		return { redirect };
	});
