import { signVerify } from '$lib/server/http/ceremony';
import type { RequestHandler } from './$types';

// The act itself (kind 'consent', 'submit' …) is what the case code reads; the reply names it.
export const POST: RequestHandler = (event) =>
	signVerify(event, async (act) => ({ act: act.id, kind: act.kind }));
