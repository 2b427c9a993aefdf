import { getLocale } from '$lib/paraglide/runtime';
import { registerPasskey } from '$lib/server/auth/registration';
import { residentCaller } from '$lib/server/http/caller';
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
	ceremony(
		event,
		{
			realm: 'resident',
			action: 'auth.register',
			caller: event.locals.resident ? residentCaller(event.locals) : undefined
		},
		async (db, caller) => {
			const { cookie, redirect } = await registerPasskey(db, caller, {
				realm: 'resident',
				response: await readJson(event.request),
				ceremonyHash: ceremonyHash(event.cookies),
				signedInAt: event.locals.resident?.authenticatedAt,
				locale: getLocale() === 'en' ? 'en' : 'ja',
				previousSession: sessionCookieOf(event, 'resident'),
				client: clientOf(event)
			});
			if (cookie) setSessionCookie(event.cookies, cookie);
			return { redirect };
		}
	);
