import { actFromBody } from '$lib/server/auth/signed-acts';
import { signOptions } from '$lib/server/http/ceremony';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = (event) => signOptions(event, actFromBody);
