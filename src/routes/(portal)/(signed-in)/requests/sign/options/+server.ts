import { onlineRequestToSign } from '$lib/server/desk/online';
import { asResidentInPortalZone } from '$lib/server/http/caller';
import { signOptions } from '$lib/server/http/ceremony';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = (event) =>
	signOptions(event, async (body) => ({
		kind: 'desk_request',
		payload: await onlineRequestToSign(...asResidentInPortalZone(event.locals), body)
	}));
