import { signInChallenge } from '$lib/server/auth/sign-in';
import { asPublicInPortalZone } from '$lib/server/http/caller';
import { ceremonyHash, challenge, clientOf } from '$lib/server/http/ceremony';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async (event) => {
	const [zone, caller] = await asPublicInPortalZone(event.locals);
	return challenge(() =>
		signInChallenge(zone, caller, {
			realm: 'resident',
			ceremonyHash: ceremonyHash(event.cookies),
			client: clientOf(event)
		})
	);
};
