import { transitionVerify } from '$lib/server/http/signed-transition';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = (event) => transitionVerify(event, 'withdraw');
