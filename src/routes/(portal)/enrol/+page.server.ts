import { claimByLetter } from '$lib/server/auth/enrolment-http';
import type { Actions } from './$types';

export const actions: Actions = { default: claimByLetter };
