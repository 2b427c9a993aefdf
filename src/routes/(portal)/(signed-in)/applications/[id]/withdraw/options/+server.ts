import { withdrawOptions } from '$lib/server/applications/reissue-http';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = (event) => withdrawOptions(event);
