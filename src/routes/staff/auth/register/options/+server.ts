import { registrationChallenge } from '$lib/server/auth/registration';
import { ceremony, ceremonyHash } from '$lib/server/http/ceremony';
import type { RequestHandler } from './$types';

// Only a browser that claimed a staff link registers here (staff add keys by a new link).
export const POST: RequestHandler = (event) =>
	ceremony(event, { realm: 'staff', action: 'auth.register' }, (db, caller) =>
		registrationChallenge(db, caller, { ceremonyHash: ceremonyHash(event.cookies) })
	);
