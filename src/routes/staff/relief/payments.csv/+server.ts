import { paymentsExport } from '$lib/server/relief/relief-http';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = (event) => paymentsExport(event);
