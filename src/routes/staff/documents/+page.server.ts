import { registryLoad } from '$lib/server/documents/registry-http';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => registryLoad(event);
