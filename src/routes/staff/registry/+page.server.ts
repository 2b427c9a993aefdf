import {
	applyAction,
	cancelAction,
	dryRunAction,
	registryLoad
} from '$lib/server/residents/registry-http';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => registryLoad(event);
export const actions: Actions = {
	dryRun: (event) => dryRunAction(event),
	apply: (event) => applyAction(event),
	cancel: (event) => cancelAction(event)
};
