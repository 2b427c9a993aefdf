// 宛名検索: a POST, so names and birth dates never sit in a URL (history, proxies, logs).
import { answer } from '$lib/server/http/answer';
import { asStaff } from '$lib/server/http/caller';
import { formOf } from '$lib/server/http/form';
import { searchPeople } from '$lib/server/residents/records';
import { requireStaffRight } from '$lib/server/http/caller';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals }) => {
	requireStaffRight(locals, 'resident.search');
	return {};
};

export const actions: Actions = {
	default: async ({ locals, request }) => {
		const form = await formOf(request);
		const criteria = {
			name: String(form.get('name') ?? ''),
			birthDate: String(form.get('birth_date') ?? ''),
			atena: String(form.get('atena') ?? ''),
			address: String(form.get('address') ?? '')
		};
		return answer(
			async () => ({ criteria, results: await searchPeople(...asStaff(locals), criteria) }),
			{ criteria }
		);
	}
};
