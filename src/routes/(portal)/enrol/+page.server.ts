import { fail, redirect } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages';
import { claimEnrolment } from '$lib/server/auth/registration';
import { asPublic } from '$lib/server/http/caller';
import { ceremonyHash, clientOf } from '$lib/server/http/ceremony';
import { formOf } from '$lib/server/http/form';
import type { Actions } from './$types';

export const actions: Actions = {
	default: async (event) => {
		const form = await formOf(event.request);
		const values = {
			code: String(form.get('code') ?? '').slice(0, 64),
			birthDate: String(form.get('birth_date') ?? '').slice(0, 10)
		};
		if (!values.code.trim() || !/^\d{4}-\d{2}-\d{2}$/.test(values.birthDate)) {
			return fail(400, { ...values, message: m.enrol_fields_missing() });
		}
		const failure = await claimEnrolment(...(await asPublic(event.locals)), {
			claim: { by: 'letter', ...values },
			ceremonyHash: ceremonyHash(event.cookies),
			client: clientOf(event)
		});
		// One message for every reason: a guesser learns nothing about which part was wrong.
		if (failure?.reason === 'rate_limited') {
			return fail(429, { ...values, message: m.auth_rate_limited() });
		}
		if (failure) return fail(400, { ...values, message: m.enrol_code_failed() });
		redirect(303, '/enrol/passkey');
	}
};
