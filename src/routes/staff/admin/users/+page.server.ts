import { answer, answerPage } from '$lib/server/http/answer';
import { asStaff } from '$lib/server/http/caller';
import { entriesOf, formOf } from '$lib/server/http/form';
import { createStaffMember, staffList } from '$lib/server/staff/admin';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => answerPage(() => staffList(...asStaff(locals)));

export const actions: Actions = {
	create: async ({ locals, request }) => {
		const values = entriesOf(await formOf(request), 200);
		return answer(async () => ({ created: await createStaffMember(...asStaff(locals), values) }), {
			values
		});
	}
};
