import { verifyLoad } from '$lib/server/documents/verify-http';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => verifyLoad(event);
