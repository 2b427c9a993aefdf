import { actFromBody, signOptions } from '$lib/server/auth/flows';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = (event) => signOptions(event, actFromBody);
