// Enrolling one resident: a letter by post or a link at the desk.
import { config } from '$lib/server/config';
import { deskEnrolment, proofingPerson } from '$lib/server/desk/enrolment';
import { answer, answerPage } from '$lib/server/http/answer';
import { asStaff } from '$lib/server/http/caller';
import { formOf } from '$lib/server/http/form';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, params }) =>
	answerPage(() => proofingPerson(...asStaff(locals), { atena: params.atena }));

export const actions: Actions = {
	desk: async ({ locals, params, request }) => {
		const documents = (await formOf(request)).getAll('documents').map(String);
		return answer(() =>
			deskEnrolment(
				...asStaff(locals),
				{ atena: params.atena, documents },
				{ origin: config().origin }
			)
		);
	}
};
