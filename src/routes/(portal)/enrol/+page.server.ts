import { fail, redirect } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages';
import { formOf } from '$lib/server/http/form';
import { claimFromForm } from '$lib/server/http/enrolment';
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
		// The back office checks the code (issue 27); its answer usually comes within a second.
		const outcome = await claimFromForm(event, { by: 'letter', ...values });
		if (outcome === 'limited') return fail(429, { ...values, message: m.auth_rate_limited() });
		// One message for every reason: a guesser learns nothing about which part was wrong.
		if (outcome === 'declined') return fail(400, { ...values, message: m.enrol_code_failed() });
		redirect(303, '/enrol/passkey');
	}
};
