import { getLocale } from '$lib/paraglide/runtime';
import { carryOutTransition, transitionToSign } from '$lib/server/applications/applicant';
import { asResident, residentCaller } from '$lib/server/http/caller';
import { signVerify } from '$lib/server/http/ceremony';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = (event) =>
	signVerify(
		event,
		(act, trx, expected) =>
			carryOutTransition(trx, residentCaller(event.locals), {
				id: event.params.id,
				kind: 'submit',
				act,
				expected
			}),
		// Read before the signature's transaction opens (one connection each, no wait on the audit lock).
		() =>
			transitionToSign(...asResident(event.locals), {
				id: event.params.id,
				kind: 'submit',
				locale: getLocale() === 'en' ? 'en' : 'ja'
			})
	);
