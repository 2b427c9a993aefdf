import { queueLoad } from '$lib/server/applications/casework-http';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => queueLoad(event);
