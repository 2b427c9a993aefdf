import { redirect } from '@sveltejs/kit';
import { ownPasskeys, renamePasskey, revokePasskey } from '$lib/server/auth/passkeys';
import { answer } from '$lib/server/http/answer';
import { asResidentInPortalZone } from '$lib/server/http/caller';
import { formOf } from '$lib/server/http/form';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ locals, url }) => ({
	added: url.searchParams.has('added'),
	...(await ownPasskeys(...asResidentInPortalZone(locals), {
		currentCredentialId: locals.resident!.credentialId,
		signedInAt: locals.resident!.authenticatedAt
	}))
});

export const actions: Actions = {
	rename: async ({ locals, request }) => {
		const form = await formOf(request);
		const values = {
			id: String(form.get('id') ?? ''),
			nickname: String(form.get('nickname') ?? '').trim()
		};
		return answer(async () => {
			await renamePasskey(...asResidentInPortalZone(locals), values);
			return { renamed: values.id };
		}, values);
	},
	revoke: async ({ locals, request }) => {
		const form = await formOf(request);
		const id = String(form.get('id') ?? '');
		return answer(
			async () => {
				const revoked = await revokePasskey(...asResidentInPortalZone(locals), {
					id,
					lastUnderstood: form.get('confirm_last') === 'yes'
				});
				// Revoking the key this session was opened with ends this session too.
				if (revoked.id === locals.resident!.credentialId) redirect(303, '/sign-in?signed_out=1');
				return { revoked: id };
			},
			(refusal) => ({ id, ...(refusal.code === 'last_passkey' ? { confirmLast: true } : {}) })
		);
	}
};
