import { addPasskey } from '$lib/server/http/ceremony';
import type { RequestHandler } from './$types';

// A key added while signed in, confirmed by an act signed with a key the account already has: sent
// to the back office, which verifies both and binds the new key (issue 27).
export const POST: RequestHandler = (event) => addPasskey(event, 'confirm');
