// The contact desk's screen for 開示・訂正・利用停止請求.
import { redirect } from '@sveltejs/kit';
import { randomUUID } from 'node:crypto';
import { deskQueue, extendRequest, registerAtDesk } from '$lib/server/desk/counter';
import { answer, answerPage } from '$lib/server/http/answer';
import { asStaff } from '$lib/server/http/caller';
import { formOf } from '$lib/server/http/form';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => ({
	...(await answerPage(() => deskQueue(...asStaff(locals)))),
	done: url.searchParams.get('done'),
	// The register form's one-time key: a double tap on 登録 registers one request.
	requestKey: randomUUID()
});

export const actions: Actions = {
	register: async ({ locals, request }) => {
		const form = await formOf(request);
		const field = (name: string) =>
			String(form.get(name) ?? '')
				.trim()
				.slice(0, 2000);
		const values = {
			kind: field('kind'),
			channel: field('channel'),
			atena: field('atena'),
			requesterType: field('requester_type'),
			requesterName: field('requester_name'),
			powerOfAttorney: form.get('power_of_attorney') === 'on',
			identityDocuments: form.getAll('identity').map(String),
			whatRequested: field('what'),
			receivedOn: field('received_on'),
			follows: field('follows').toUpperCase()
		};
		return answer(
			async () => {
				const created = await registerAtDesk(...asStaff(locals), {
					...values,
					requestKey: field('request_key')
				});
				redirect(303, `/staff/desk?done=${created.reference}`);
			},
			{ values }
		);
	},
	extend: async ({ locals, request }) => {
		const form = await formOf(request);
		return answer(async () => {
			await extendRequest(...asStaff(locals), {
				id: String(form.get('id') ?? ''),
				reason: String(form.get('reason') ?? '')
			});
			redirect(303, '/staff/desk?done=extended');
		});
	}
};
