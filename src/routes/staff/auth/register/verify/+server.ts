import { registerVerify } from '$lib/server/http/ceremony';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = (event) => registerVerify(event);
