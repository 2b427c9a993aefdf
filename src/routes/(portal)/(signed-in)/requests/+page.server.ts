import { onlineRequestsLoad } from '$lib/server/desk/online-http';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => onlineRequestsLoad(event);
