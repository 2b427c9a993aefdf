// A resident's signed submission or withdrawal of an application, over the signing ceremony:
// what is signed is built by the server from the application as it stands (read before the
// signature's transaction opens), and carried out in that transaction.
import type { RequestEvent } from '@sveltejs/kit';
import { getLocale } from '$lib/paraglide/runtime';
import {
	carryOutTransition,
	transitionToSign,
	type SignedTransition
} from '../applications/applicant';
import { asResident, residentCaller } from './caller';
import { signOptions, signVerify } from './ceremony';

const toSign = (event: RequestEvent, kind: SignedTransition) =>
	transitionToSign(...asResident(event.locals), {
		id: event.params.id ?? '',
		kind,
		locale: getLocale() === 'en' ? 'en' : 'ja'
	});

export const transitionOptions = (event: RequestEvent, kind: SignedTransition) =>
	signOptions(event, async () => ({ kind, payload: await toSign(event, kind) }));

export const transitionVerify = (event: RequestEvent, kind: SignedTransition) =>
	signVerify(
		event,
		(act, trx, expected) =>
			carryOutTransition(trx, residentCaller(event.locals), {
				id: event.params.id ?? '',
				kind,
				act,
				expected
			}),
		// Read before the signature's transaction opens (no second connection waits inside it).
		() => toSign(event, kind)
	);
