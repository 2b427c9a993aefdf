// The portal's items for the back office (issue 27, docs/zones.md): only a request signed with
// the back office's key is answered (src/lib/server/exchange/portal.ts).
import { exchangeEndpoint } from '$lib/server/http/exchange';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = ({ request }) => exchangeEndpoint('items', request);
