import { openRecordAction, recordLoad } from '$lib/server/residents/search-http';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = (event) => recordLoad(event);
export const actions: Actions = { default: (event) => openRecordAction(event) };
