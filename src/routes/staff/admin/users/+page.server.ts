import { answer, answerPage } from '$lib/server/http/answer';
import { asStaff } from '$lib/server/http/caller';
import { formOf } from '$lib/server/http/form';
import { createStaffMember, staffList } from '$lib/server/staff/admin';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => answerPage(() => staffList(...asStaff(locals)));

export const actions: Actions = {
	create: async ({ locals, request }) => {
		const values = fieldsOf(await formOf(request));
		return answer(async () => ({ created: await createStaffMember(...asStaff(locals), values) }), {
			values
		});
	}
};

function fieldsOf(form: FormData): Record<string, string> {
	return Object.fromEntries(
		[...form.entries()].map(([key, value]) => [key, String(value).slice(0, 200)])
	);
}
