import { printFile } from '$lib/server/mailings/mailings-http';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = (event) => printFile(event);
