import { documentsLoad } from '$lib/server/documents/issued-http';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => documentsLoad(event);
