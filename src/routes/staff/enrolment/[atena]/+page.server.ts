// Enrolling one resident: a letter by post or a link at the desk.
import { config } from '$lib/server/config';
import { db } from '$lib/server/db';
import { deskEnrolment, proofingPerson } from '$lib/server/desk/enrolment';
import { answer, answerPage } from '$lib/server/http/answer';
import { staffCaller } from '$lib/server/http/caller';
import { formOf } from '$lib/server/http/form';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, params }) =>
	answerPage(() => proofingPerson(db(), staffCaller(locals), { atena: params.atena }));

export const actions: Actions = {
	desk: async ({ locals, params, request }) => {
		const documents = (await formOf(request)).getAll('documents').map(String);
		return answer(() =>
			deskEnrolment(
				db(),
				staffCaller(locals),
				{ atena: params.atena, documents },
				{ origin: config().origin }
			)
		);
	}
};
