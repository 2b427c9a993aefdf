// The 住基 異動 import screen.
import { redirect } from '@sveltejs/kit';
import { answer, answerPage } from '$lib/server/http/answer';
import { asStaff } from '$lib/server/http/caller';
import { formOf } from '$lib/server/http/form';
import { jobs } from '$lib/server/jobs/runtime';
import {
	applyUpload,
	cancelUpload,
	dryRunUpload,
	registryImports
} from '$lib/server/residents/registry-uploads';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = ({ locals, url }) =>
	answerPage(() =>
		registryImports(...asStaff(locals), { following: url.searchParams.get('upload') })
	);

export const actions: Actions = {
	dryRun: async ({ locals, request }) => {
		const file = (await formOf(request)).get('file');
		return answer(async () => ({
			dryRun: await dryRunUpload(...asStaff(locals), { file: file instanceof File ? file : null })
		}));
	},
	apply: async ({ locals, request }) => {
		const id = String((await formOf(request)).get('upload') ?? '');
		return answer(async () => {
			await applyUpload(...asStaff(locals), { id }, async (uploadId) =>
				(await jobs()).enqueueRegistryApply(uploadId)
			);
			redirect(303, `/staff/registry?upload=${id}`);
		});
	},
	cancel: async ({ locals, request }) => {
		const id = String((await formOf(request)).get('upload') ?? '');
		return answer(async () => {
			await cancelUpload(...asStaff(locals), { id });
			redirect(303, `/staff/registry?upload=${id}`);
		});
	}
};
