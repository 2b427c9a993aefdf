import { signInVerify } from '$lib/server/auth/flows';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = (event) => signInVerify(event, 'staff');
