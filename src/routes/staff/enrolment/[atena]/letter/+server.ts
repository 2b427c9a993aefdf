import { issueLetter } from '$lib/server/auth/proofing-http';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = (event) => issueLetter(event);
