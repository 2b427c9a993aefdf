import { signInChallenge } from '$lib/server/auth/sign-in';
import { asPublic } from '$lib/server/http/caller';
import { ceremonyHash, challenge, clientOf } from '$lib/server/http/ceremony';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async (event) => {
	const [db, caller] = await asPublic(event.locals);
	return challenge(() =>
		signInChallenge(db, caller, {
			realm: 'resident',
			ceremonyHash: ceremonyHash(event.cookies),
			client: clientOf(event)
		})
	);
};
