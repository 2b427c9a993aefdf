import { registerOptions } from '$lib/server/auth/flows';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = (event) => registerOptions(event, 'resident');
