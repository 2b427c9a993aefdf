// A resident's signed submission or withdrawal of an application, over the signing ceremony:
// what is signed is built by the server from the application as it stands, verified here, and
// sent through the exchange (issue 27); the back office verifies it again and carries it out.
import type { RequestEvent } from '@sveltejs/kit';
import { getLocale } from '$lib/paraglide/runtime';
import {
	afterTransition,
	movedOn,
	transitionToSign,
	type SignedTransition
} from '../applications/applicant';
import { objectStanding } from '../exchange/portal';
import { asResident, asResidentInPortalZone } from './caller';
import { signOptions, signVerifyInside } from './ceremony';

/** What the applicant signs: built by the server from the application as it stands. */
const payloadOf = (event: RequestEvent, kind: SignedTransition) =>
	transitionToSign(...asResident(event.locals), {
		id: event.params.id ?? '',
		kind,
		locale: getLocale() === 'en' ? 'en' : 'ja'
	});

/**
 * Options to sign it, unless this application's last act is still on its way to the city: then it
 * has moved on as far as the resident is concerned, and a second tab is told so before it signs.
 */
export const transitionOptions = (event: RequestEvent, kind: SignedTransition) =>
	signOptions(event, async () => {
		const payload = await payloadOf(event, kind);
		const standing = await objectStanding(
			...asResidentInPortalZone(event.locals),
			event.params.id ?? ''
		);
		if (standing?.state === 'sent') throw movedOn(kind);
		return { kind, payload };
	});

export const transitionVerify = (event: RequestEvent, kind: SignedTransition) => {
	const id = event.params.id ?? '';
	return signVerifyInside(event, {
		expected: async () => ({ kind, payload: await payloadOf(event, kind) }),
		// A double tap finds the first one waiting and sends nothing more (exchange/portal.ts).
		about: () => id,
		answer: () => afterTransition(id, kind)
	});
};
