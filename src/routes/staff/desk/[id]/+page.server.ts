import { redirect } from '@sveltejs/kit';
import {
	assembleDeskPackage,
	decideDeskRequest,
	deskRequestFile,
	withholdPassage
} from '$lib/server/desk/request-file';
import { answer, answerPage } from '$lib/server/http/answer';
import { asStaff } from '$lib/server/http/caller';
import { formOf, textOf } from '$lib/server/http/form';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params, url }) => ({
	...(await answerPage(() => deskRequestFile(...asStaff(locals), { id: params.id }))),
	done: url.searchParams.get('done')
});

export const actions: Actions = {
	assemble: async ({ locals, params }) => {
		return answer(async () => {
			await assembleDeskPackage(...asStaff(locals), { id: params.id });
			redirect(303, `/staff/desk/${params.id}?done=assembled`);
		});
	},
	withhold: async ({ locals, params, request }) => {
		const text = textOf(await formOf(request), 400);
		const disclose = text('disclose') === '1';
		return answer(async () => {
			await withholdPassage(...asStaff(locals), {
				id: params.id,
				itemKey: text('item'),
				field: text('field'),
				ground: disclose ? null : text('ground'),
				note: text('note')
			});
			redirect(303, `/staff/desk/${params.id}?done=${disclose ? 'disclosed' : 'withheld'}#package`);
		});
	},
	decide: async ({ locals, params, request }) => {
		const text = textOf(await formOf(request), 2000);
		const values = {
			delivery: text('delivery'),
			outcome: text('outcome'),
			reason: text('reason'),
			dose: text('dose'),
			administeredOn: text('administered_on'),
			lot: text('lot'),
			manufacturer: text('manufacturer')
		};
		return answer(
			async () => {
				await decideDeskRequest(...asStaff(locals), { id: params.id, form: values });
				redirect(303, `/staff/desk/${params.id}?done=decided`);
			},
			{ values }
		);
	}
};
