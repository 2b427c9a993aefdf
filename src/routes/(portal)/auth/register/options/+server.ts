import { registrationChallenge } from '$lib/server/auth/registration';
import { residentCaller } from '$lib/server/http/caller';
import { ceremony, ceremonyHash } from '$lib/server/http/ceremony';
import { enrolmentOptions } from '$lib/server/http/enrolment';
import type { RequestHandler } from './$types';

// A browser whose enrolment claim the city accepted (the options are the back office's), or a
// resident signed in minutes ago adding a key.
export const POST: RequestHandler = (event) =>
	event.locals.resident
		? ceremony(
				event,
				{ realm: 'resident', action: 'auth.register', caller: residentCaller(event.locals) },
				(db, caller) =>
					registrationChallenge(db, caller, {
						realm: 'resident',
						ceremonyHash: ceremonyHash(event.cookies),
						signedInAt: event.locals.resident?.authenticatedAt
					})
			)
		: enrolmentOptions(event);
