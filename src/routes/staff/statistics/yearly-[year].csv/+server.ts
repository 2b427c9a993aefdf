import { yearlyCsv } from '$lib/server/statistics/statistics-http';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = (event) => yearlyCsv(event);
