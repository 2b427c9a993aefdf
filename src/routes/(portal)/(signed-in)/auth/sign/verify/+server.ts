import { signVerifyInside } from '$lib/server/http/ceremony';
import type { RequestHandler } from './$types';

// The acts the browser names (consent) travel to the back office through the exchange, which
// verifies them again and applies them (issue 27); the reply says the act was sent.
export const POST: RequestHandler = (event) =>
	signVerifyInside(event, { expected: () => ({ kind: 'consent' }) });
