// The desk's 問合せ・苦情 log: log a call or visit, answer and close it.
import { redirect } from '@sveltejs/kit';
import { randomUUID } from 'node:crypto';
import { closeInquiry, inquiryLog, logInquiry } from '$lib/server/desk/inquiries';
import { answer, answerPage } from '$lib/server/http/answer';
import { asStaff } from '$lib/server/http/caller';
import { formOf } from '$lib/server/http/form';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => ({
	rows: await answerPage(() => inquiryLog(...asStaff(locals))),
	done: url.searchParams.get('done'),
	// The log form's one-time key: a double tap on 記録 logs one inquiry.
	requestKey: randomUUID()
});

export const actions: Actions = {
	log: async ({ locals, request }) => {
		const form = await formOf(request);
		const values = {
			kind: String(form.get('kind') ?? ''),
			channel: String(form.get('channel') ?? ''),
			callerName: String(form.get('caller') ?? '').slice(0, 200),
			subjectAtenaNumber: String(form.get('atena') ?? '').slice(0, 20),
			subject: String(form.get('subject') ?? '').slice(0, 2000)
		};
		return answer(
			async () => {
				await logInquiry(...asStaff(locals), {
					inquiry: values,
					requestKey: String(form.get('request_key') ?? '')
				});
				redirect(303, '/staff/desk/inquiries?done=logged');
			},
			{ values }
		);
	},
	close: async ({ locals, request }) => {
		const form = await formOf(request);
		return answer(async () => {
			await closeInquiry(...asStaff(locals), {
				id: String(form.get('id') ?? ''),
				response: String(form.get('response') ?? '')
			});
			redirect(303, '/staff/desk/inquiries?done=closed');
		});
	}
};
