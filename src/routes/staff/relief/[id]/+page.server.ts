// One relief case: opened with a purpose (kept for 30 minutes, each view audited with it), its
// actions, and its documents released to the resident.
import { redirect } from '@sveltejs/kit';
import { getLocale } from '$lib/paraglide/runtime';
import { config } from '$lib/server/config';
import { answer, answerPage } from '$lib/server/http/answer';
import { asStaff } from '$lib/server/http/caller';
import { formOf } from '$lib/server/http/form';
import {
	casePurpose,
	releaseReliefDocument,
	reliefCaseFile,
	takeReliefAction
} from '$lib/server/relief/officer';
import type { Actions, PageServerLoad } from './$types';

const purposeCookie = (id: string) => `relief_purpose_${id.slice(0, 8)}`;

export const load: PageServerLoad = async ({ cookies, locals, params, url }) => {
	const file = await answerPage(() =>
		reliefCaseFile(...asStaff(locals), {
			id: params.id,
			purpose: cookies.get(purposeCookie(params.id)),
			locale: getLocale() === 'en' ? 'en' : 'ja'
		})
	);
	if (file.needsPurpose) {
		// A purpose kept before it was checked when typed is dropped and asked for again.
		if (file.dropPurpose)
			cookies.delete(purposeCookie(file.id), { path: `/staff/relief/${file.id}` });
		return { id: file.id, needsPurpose: true as const };
	}
	return { ...file, done: url.searchParams.get('done') };
};

export const actions: Actions = {
	purpose: async ({ cookies, locals, params, request }) => {
		const typed = (await formOf(request)).get('purpose');
		return answer(async () => {
			const { id, purpose } = await casePurpose(...asStaff(locals), {
				id: params.id,
				purpose: typed
			});
			// The purpose holds for this case for 30 minutes; each view is audited with it.
			cookies.set(purposeCookie(id), purpose, {
				path: `/staff/relief/${id}`,
				httpOnly: true,
				sameSite: 'strict',
				secure: config().secureCookies,
				maxAge: 30 * 60
			});
			redirect(303, `/staff/relief/${id}`);
		});
	},
	act: async ({ locals, params, request }) => {
		const form = await formOf(request);
		const action = String(form.get('action') ?? '').slice(0, 40);
		return answer(
			async () => {
				const done = await takeReliefAction(...asStaff(locals), { id: params.id, form });
				redirect(303, `/staff/relief/${params.id}?done=${done}`);
			},
			{ action }
		);
	},
	release: async ({ locals, params, request }) => {
		const document = String((await formOf(request)).get('document') ?? '');
		return answer(async () => {
			await releaseReliefDocument(...asStaff(locals), { id: params.id, document });
			redirect(303, `/staff/relief/${params.id}?done=release`);
		});
	}
};
