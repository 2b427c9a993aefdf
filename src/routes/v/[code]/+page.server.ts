// The short address printed on certificates (/v/ABCD-EFGH-JKMN): the same public verify page.
import { verifyLoad } from '$lib/server/documents/verify-http';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => verifyLoad(event, event.params.code);
