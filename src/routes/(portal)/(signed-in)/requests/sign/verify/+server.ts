import { onlineRequest } from '$lib/server/desk/online-http';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = (event) => onlineRequest.verify(event);
