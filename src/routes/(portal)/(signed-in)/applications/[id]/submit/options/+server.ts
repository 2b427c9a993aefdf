import { transitionOptions } from '$lib/server/http/signed-transition';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = (event) => transitionOptions(event, 'submit');
