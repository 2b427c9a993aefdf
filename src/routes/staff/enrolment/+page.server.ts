// Finding the person to enrol. A POST, so names and birth dates never sit in a URL (history,
// proxies, logs).
import { findForEnrolment } from '$lib/server/desk/enrolment';
import { answer } from '$lib/server/http/answer';
import { asStaff } from '$lib/server/http/caller';
import { formOf } from '$lib/server/http/form';
import { requireStaffRight } from '$lib/server/http/caller';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
	requireStaffRight(locals, 'identity.proof');
	return {};
};

export const actions: Actions = {
	default: async ({ locals, request }) => {
		const form = await formOf(request);
		const field = (name: string, max: number) =>
			String(form.get(name) ?? '')
				.trim()
				.slice(0, max);
		const criteria = {
			atena: field('atena', 15),
			kana: field('kana', 40),
			birthDate: field('birth_date', 10)
		};
		return answer(
			async () => ({ criteria, ...(await findForEnrolment(...asStaff(locals), criteria)) }),
			{ criteria }
		);
	}
};
