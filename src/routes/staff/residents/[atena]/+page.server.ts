// A person's record in the back office: opened with a purpose, the 個人番号 with a reason.
import { fail } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages';
import { answer, answerPage } from '$lib/server/http/answer';
import { asStaff } from '$lib/server/http/caller';
import { formOf } from '$lib/server/http/form';
import {
	openPersonRecord,
	personToOpen,
	revealPersonMyNumber
} from '$lib/server/residents/records';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, params }) =>
	answerPage(() => personToOpen(...asStaff(locals), { atena: params.atena }));

export const actions: Actions = {
	open: async ({ locals, params, request }) => {
		const form = await formOf(request);
		return answer(() =>
			openPersonRecord(...asStaff(locals), { atena: params.atena, purpose: form.get('purpose') })
		);
	},
	mynumber: async ({ locals, params, request }) => {
		const form = await formOf(request);
		const shown = await answer(() =>
			revealPersonMyNumber(...asStaff(locals), {
				atena: params.atena,
				purpose: form.get('purpose'),
				reason: form.get('reason')
			})
		);
		// Without a reason the record stays on the page and the number is not shown.
		if ('reasonMissing' in shown) {
			return fail(400, { ...shown, message: m.mynumber_reason_required() });
		}
		return shown;
	}
};
