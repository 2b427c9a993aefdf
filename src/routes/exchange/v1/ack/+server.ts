// The back office's acknowledgement of the items it took in, with each one's outcome.
import { exchangeEndpoint } from '$lib/server/http/exchange';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = ({ request }) => exchangeEndpoint('ack', request);
