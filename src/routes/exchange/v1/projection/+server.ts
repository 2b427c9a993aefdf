// The back office's publication of what the portal shows (the projection), signed like the pull.
import { exchangeEndpoint } from '$lib/server/http/exchange';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = ({ request }) => exchangeEndpoint('projection', request);
