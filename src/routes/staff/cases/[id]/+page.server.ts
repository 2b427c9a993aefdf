// A case of the back office: the controller of the case page and its forms.
import { redirect } from '@sveltejs/kit';
import {
	addCaseNote,
	checkCaseDose,
	keyCaseDose,
	openCase,
	takeCaseAction
} from '$lib/server/applications/cases';
import type { CaseAction } from '$lib/server/applications/casework';
import { config } from '$lib/server/config';
import { answer, answerPage } from '$lib/server/http/answer';
import { asStaff } from '$lib/server/http/caller';
import { formOf } from '$lib/server/http/form';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

export const load: PageServerLoad = async ({ locals, params, url }) => ({
	...(await answerPage(() => openCase(...asStaff(locals), { id: params.id }))),
	done: ['dose_keyed', 'dose_checked'].find((done) => done === url.searchParams.get('done'))
});

const text = (form: FormData, name: string, max = 500) =>
	String(form.get(name) ?? '').slice(0, max);

async function act({ locals, params, request }: RequestEvent, action: CaseAction) {
	const form = await formOf(request);
	const steps = form.getAll('step').map(String);
	const items = steps.map((step) => ({ step, note: text(form, `note_${step}`) }));
	return answer(
		async () => {
			await takeCaseAction(
				...asStaff(locals),
				{
					id: params.id,
					action,
					updatedAt: text(form, 'updated_at'),
					reason: text(form, 'reason'),
					items,
					assignee: text(form, 'assignee'),
					outcome: text(form, 'outcome')
				},
				{ origin: config().origin, sealing: config().documentKey }
			);
			redirect(303, `/staff/cases/${params.id}`);
		},
		// What was typed comes back into the form, to be corrected rather than typed again.
		{
			action,
			values: {
				reason: text(form, 'reason'),
				steps,
				notes: Object.fromEntries(items.map((item) => [item.step, item.note]))
			}
		}
	);
}

export const actions: Actions = {
	assign: (event) => act(event, 'assign'),
	reassign: (event) => act(event, 'reassign'),
	prepare: (event) => act(event, 'prepare'),
	send_back: (event) => act(event, 'send_back'),
	approve: (event) => act(event, 'approve'),
	reject: (event) => act(event, 'reject'),
	return: (event) => act(event, 'return'),
	record_issue: (event) => act(event, 'record_issue'),
	note: async ({ locals, params, request }) => {
		const body = text(await formOf(request), 'body', 4000);
		return answer(
			async () => {
				await addCaseNote(...asStaff(locals), { id: params.id, body });
				redirect(303, `/staff/cases/${params.id}`);
			},
			{ action: 'note' }
		);
	},
	key_dose: async ({ locals, params, request }) => {
		const form = await formOf(request);
		const values = {
			dose: text(form, 'dose', 100),
			administeredOn: text(form, 'administered_on', 100),
			institutionName: text(form, 'institution_name', 100),
			institutionNameEn: text(form, 'institution_name_en', 100),
			lot: text(form, 'lot', 100),
			manufacturer: text(form, 'manufacturer', 100)
		};
		return answer(
			async () => {
				await keyCaseDose(...asStaff(locals), { id: params.id, entry: values });
				redirect(303, `/staff/cases/${params.id}?done=dose_keyed`);
			},
			(refusal) => ({ action: 'key_dose', handbook: { values, errors: refusal.fields } })
		);
	},
	check_dose: async ({ locals, params, request }) => {
		const doseId = text(await formOf(request), 'id', 20);
		return answer(
			async () => {
				await checkCaseDose(...asStaff(locals), { id: params.id, doseId });
				redirect(303, `/staff/cases/${params.id}?done=dose_checked`);
			},
			{ action: 'check_dose' }
		);
	}
};
