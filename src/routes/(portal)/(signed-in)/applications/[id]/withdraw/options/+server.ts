import { getLocale } from '$lib/paraglide/runtime';
import { transitionToSign } from '$lib/server/applications/applicant';
import { asResident } from '$lib/server/http/caller';
import { signOptions } from '$lib/server/http/ceremony';
import type { RequestHandler } from './$types';

// What is signed is built by the server from the application as it stands, never the browser's.
export const POST: RequestHandler = ({ locals, params, ...event }) =>
	signOptions({ locals, params, ...event }, async () => ({
		kind: 'withdraw',
		payload: await transitionToSign(...asResident(locals), {
			id: params.id,
			kind: 'withdraw',
			locale: getLocale() === 'en' ? 'en' : 'ja'
		})
	}));
