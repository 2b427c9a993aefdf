import { registrationChallenge } from '$lib/server/auth/registration';
import { residentCaller } from '$lib/server/http/caller';
import { ceremony, ceremonyHash } from '$lib/server/http/ceremony';
import type { RequestHandler } from './$types';

// A browser holding a claimed enrolment, or a resident signed in minutes ago adding a key.
export const POST: RequestHandler = (event) =>
	ceremony(
		event,
		{
			realm: 'resident',
			action: 'auth.register',
			caller: event.locals.resident ? residentCaller(event.locals) : undefined
		},
		(db, caller) =>
			registrationChallenge(db, caller, {
				realm: 'resident',
				ceremonyHash: ceremonyHash(event.cookies),
				signedInAt: event.locals.resident?.authenticatedAt
			})
	);
