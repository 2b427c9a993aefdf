import { exportCsv } from '$lib/server/audit/review-http';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = (event) => exportCsv(event);
