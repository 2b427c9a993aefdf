import { registerVerify } from '$lib/server/auth/flows';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = (event) => registerVerify(event, 'staff');
