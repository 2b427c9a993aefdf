import {
	openRecordAction,
	recordLoad,
	revealMyNumberAction
} from '$lib/server/residents/search-http';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => recordLoad(event);
export const actions: Actions = {
	open: (event) => openRecordAction(event),
	mynumber: (event) => revealMyNumberAction(event)
};
