import { caseAttachment } from '$lib/server/applications/casework-http';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = (event) => caseAttachment(event);
