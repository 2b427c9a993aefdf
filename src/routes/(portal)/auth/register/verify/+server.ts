import { addPasskey } from '$lib/server/http/ceremony';
import { enrolmentVerify } from '$lib/server/http/enrolment';
import type { RequestHandler } from './$types';

// An enrolment's passkey travels to the back office, which confirms it (issue 27); a key added
// while signed in is checked here, then confirmed with a key the account already has (./confirm).
export const POST: RequestHandler = (event) =>
	event.locals.resident ? addPasskey(event, 'check') : enrolmentVerify(event);
