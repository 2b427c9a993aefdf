import { rightsChangesReport } from '$lib/server/staff/reports-http';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = (event) => rightsChangesReport(event);
