import { addPasskey } from '$lib/server/http/ceremony';
import { enrolmentOptions } from '$lib/server/http/enrolment';
import type { RequestHandler } from './$types';

// A browser whose enrolment claim the city accepted (the options are the back office's), or a
// resident signed in minutes ago adding a key (the options are the portal's).
export const POST: RequestHandler = (event) =>
	event.locals.resident ? addPasskey(event, 'options') : enrolmentOptions(event);
