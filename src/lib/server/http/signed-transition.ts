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
import { portalZoneDb } from '../db';
import { objectStanding } from '../exchange/portal';
import { asResident } from './caller';
import { signOptions, signVerifyInside } from './ceremony';

/**
 * What to sign, unless this application's last act is still on its way to the city: then it has
 * moved on as far as the resident is concerned, and a second tab is told so before it signs.
 */
async function toSign(event: RequestEvent, kind: SignedTransition) {
	const [db, caller] = asResident(event.locals);
	const id = event.params.id ?? '';
	const payload = await transitionToSign(db, caller, {
		id,
		kind,
		locale: getLocale() === 'en' ? 'en' : 'ja'
	});
	const standing = await objectStanding(portalZoneDb(), caller, id);
	if (standing?.state === 'sent') throw movedOn(kind);
	return payload;
}

export const transitionOptions = (event: RequestEvent, kind: SignedTransition) =>
	signOptions(event, async () => ({ kind, payload: await toSign(event, kind) }));

export const transitionVerify = (event: RequestEvent, kind: SignedTransition) => {
	const id = event.params.id ?? '';
	return signVerifyInside(event, {
		expected: async () => ({
			kind,
			payload: await transitionToSign(...asResident(event.locals), {
				id,
				kind,
				locale: getLocale() === 'en' ? 'en' : 'ja'
			})
		}),
		// A double tap finds the first one waiting and sends nothing more (exchange/portal.ts).
		about: () => id,
		answer: () => afterTransition(id, kind)
	});
};
