// One issued document in the register: its versions, a revocation asked for and decided by
// another person, a certificate reissued.
import { redirect } from '@sveltejs/kit';
import {
	askRevocation,
	decideDocumentRevocation,
	registeredDocument,
	reissueCertificate
} from '$lib/server/documents/document-register';
import { answer, answerPage } from '$lib/server/http/answer';
import { asStaff } from '$lib/server/http/caller';
import { formOf, textOf } from '$lib/server/http/form';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, params, url }) => ({
	...(await answerPage(() => registeredDocument(...asStaff(locals), { id: params.id }))),
	done: url.searchParams.get('done')
});

export const actions: Actions = {
	revoke: async ({ locals, params, request }) => {
		const field = textOf(await formOf(request), 400);
		return answer(
			async () => {
				await askRevocation(...asStaff(locals), { id: params.id, reason: field('reason') });
				redirect(303, `/staff/documents/${params.id}?done=requested`);
			},
			{ form: 'revoke' }
		);
	},
	decide: async ({ locals, params, request }) => {
		const field = textOf(await formOf(request), 400);
		return answer(
			async () => {
				const decision = await decideDocumentRevocation(...asStaff(locals), {
					id: params.id,
					revocation: field('revocation'),
					revoke: field('decision') === 'revoke',
					note: field('note')
				});
				redirect(303, `/staff/documents/${params.id}?done=${decision}`);
			},
			{ form: 'decide' }
		);
	},
	reissue: ({ locals, params }) =>
		answer(
			async () => {
				const issued = await reissueCertificate(...asStaff(locals), { id: params.id });
				redirect(303, `/staff/documents/${issued.id}?done=reissued`);
			},
			{ form: 'reissue' }
		)
};
