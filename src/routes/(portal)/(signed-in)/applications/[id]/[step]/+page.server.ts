// One step of a request wizard: its question, the answers saved, files added and removed.
import { redirect } from '@sveltejs/kit';
import { getLocale } from '$lib/paraglide/runtime';
import {
	answerStep,
	echo,
	removeFromStep,
	uploadToStep,
	wizardStep
} from '$lib/server/applications/applicant';
import type { FormValues } from '$lib/server/applications/wizard';
import { answer, answerPage } from '$lib/server/http/answer';
import { objectStanding } from '$lib/server/exchange/portal';
import { asResident, asResidentInPortalZone } from '$lib/server/http/caller';
import { formOf } from '$lib/server/http/form';
import type { Actions, PageServerLoad } from './$types';

const locale = () => (getLocale() === 'en' ? 'en' : 'ja');

/**
 * While the signed submission is on its way to the city (issue 27) the draft is what was signed:
 * the wizard sends the resident to the application's page, which says so, instead of letting a
 * change go after it.
 */
async function leaveWhileSent(locals: App.Locals, id: string): Promise<void> {
	const standing = await objectStanding(...asResidentInPortalZone(locals), id);
	if (standing?.state === 'sent') redirect(303, `/applications/${id}`);
}

export const load: PageServerLoad = async ({ locals, params }) => {
	await leaveWhileSent(locals, params.id);
	const step = await answerPage(() =>
		wizardStep(...asResident(locals), { id: params.id, step: params.step, locale: locale() })
	);
	if (step.redirect !== null) redirect(303, step.redirect);
	return step;
};

async function readForm(request: Request): Promise<FormValues> {
	// No prototype: a field named "toString" or "__proto__" is a field like any other, not a
	// method of the object the values are collected in.
	const form: FormValues = Object.create(null);
	for (const [key, value] of (await formOf(request)).entries()) {
		if (typeof value !== 'string' || key === '__proto__') continue;
		// Control characters (a NUL, an escape) are nothing a person types; PostgreSQL cannot even
		// store a NUL. They are dropped before anything reads the value.
		// eslint-disable-next-line no-control-regex
		const text = value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').slice(0, 500);
		const previous = Object.hasOwn(form, key) ? form[key] : undefined;
		form[key] = previous === undefined ? text : [...[previous].flat(), text].slice(0, 50);
	}
	return form;
}

export const actions: Actions = {
	answer: async ({ locals, params, request }) => {
		await leaveWhileSent(locals, params.id);
		const form = await readForm(request);
		return answer(
			async () => {
				const next = await answerStep(...asResident(locals), {
					id: params.id,
					step: params.step,
					form,
					locale: locale()
				});
				redirect(303, next.redirect);
			},
			{ values: echo(form) }
		);
	},
	upload: async ({ locals, params, request }) => {
		await leaveWhileSent(locals, params.id);
		const data = await formOf(request);
		const purpose = data.has('purpose') ? String(data.get('purpose')) : null;
		return answer(
			async () => {
				const next = await uploadToStep(...asResident(locals), {
					id: params.id,
					step: params.step,
					purpose,
					files: data.getAll('attachment').filter((item): item is File => item instanceof File),
					locale: locale()
				});
				redirect(303, next.redirect);
			},
			{ values: { purpose: purpose ?? '' } }
		);
	},
	remove: async ({ locals, params, request }) => {
		await leaveWhileSent(locals, params.id);
		const attachmentId = String((await formOf(request)).get('attachment_id') ?? '');
		return answer(async () => {
			const next = await removeFromStep(...asResident(locals), {
				id: params.id,
				step: params.step,
				attachmentId
			});
			redirect(303, next.redirect);
		});
	}
};
