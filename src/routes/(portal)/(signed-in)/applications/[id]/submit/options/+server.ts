import { submission } from '$lib/server/applications/wizard-http';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = (event) => submission.options(event);
