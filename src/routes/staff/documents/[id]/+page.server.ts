import {
	decideRevocationAction,
	documentLoad,
	reissueAction,
	revokeAction
} from '$lib/server/documents/registry-http';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => documentLoad(event);
export const actions: Actions = {
	revoke: (event) => revokeAction(event),
	decide: (event) => decideRevocationAction(event),
	reissue: (event) => reissueAction(event)
};
