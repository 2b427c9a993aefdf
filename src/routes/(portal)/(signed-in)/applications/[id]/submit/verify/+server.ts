import { submission } from '$lib/server/applications/reissue-http';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = (event) => submission.verify(event);
