import { documentDownload } from '$lib/server/documents/issued-http';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = (event) => documentDownload(event);
