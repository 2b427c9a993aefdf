import { enrolmentPage } from '$lib/server/http/enrolment';
import type { PageServerLoad } from './$types';

// Where the claim stands: being checked by the city, not accepted, accepted (make the passkey),
// the passkey on its way; once the city has confirmed it, the session starts and the page goes home.
export const load: PageServerLoad = async (event) => {
	const standing = await enrolmentPage(event);
	return {
		step: standing.step,
		by: 'by' in standing ? standing.by : null,
		registration: standing.step === 'accepted' ? standing.registration : null
	};
};
