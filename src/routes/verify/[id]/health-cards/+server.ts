import { healthCardFile } from '$lib/server/documents/verify-http';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = (event) => healthCardFile(event);
