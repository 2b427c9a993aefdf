import { rightsReviewReport } from '$lib/server/staff/reports-http';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = (event) => rightsReviewReport(event);
