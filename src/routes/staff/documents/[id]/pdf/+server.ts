import { documentPdf } from '$lib/server/documents/registry-http';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = (event) => documentPdf(event);
