import { registerSignedRequest } from '$lib/server/desk/online';
import { residentCaller } from '$lib/server/http/caller';
import { signVerify } from '$lib/server/http/ceremony';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = (event) =>
	signVerify(event, (act, trx) => registerSignedRequest(trx, residentCaller(event.locals), act));
