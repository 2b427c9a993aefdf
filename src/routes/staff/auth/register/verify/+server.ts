import { getLocale } from '$lib/paraglide/runtime';
import { registerPasskey } from '$lib/server/auth/registration';
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
	ceremony(event, { realm: 'staff', action: 'auth.register' }, async (db, caller) => {
		const { cookie, redirect } = await registerPasskey(db, caller, {
			realm: 'staff',
			response: await readJson(event.request),
			ceremonyHash: ceremonyHash(event.cookies),
			locale: getLocale() === 'en' ? 'en' : 'ja',
			previousSession: sessionCookieOf(event, 'staff'),
			client: clientOf(event)
		});
		if (cookie) setSessionCookie(event.cookies, cookie);
		return { redirect };
	});
