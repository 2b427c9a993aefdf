import { statisticsLoad } from '$lib/server/statistics/statistics-http';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => statisticsLoad(event);
