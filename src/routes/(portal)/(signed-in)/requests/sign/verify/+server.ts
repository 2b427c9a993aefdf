import { afterRequest, signedRequestKey } from '$lib/server/desk/online';
import { signVerifyInside } from '$lib/server/http/ceremony';
import type { RequestHandler } from './$types';

// A request signed here travels to the back office through the exchange, which verifies it again
// and registers it at the desk (issue 27); one item per page's one-time key waits at a time.
export const POST: RequestHandler = (event) =>
	signVerifyInside(event, {
		expected: () => ({ kind: 'desk_request' }),
		about: signedRequestKey,
		answer: afterRequest
	});
