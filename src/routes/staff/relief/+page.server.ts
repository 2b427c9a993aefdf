import { deskClaimAction, openIntakeAction, reliefListLoad } from '$lib/server/relief/relief-http';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => reliefListLoad(event);
export const actions: Actions = {
	open: (event) => openIntakeAction(event),
	desk: (event) => deskClaimAction(event)
};
