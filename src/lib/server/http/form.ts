// Every form a handler reads goes through here (an ESLint rule says so). request.formData()
// throws a TypeError on a body that is not a form or is a broken one (a truncated or mislabelled
// multipart body), which SvelteKit answers 500; here it is a 415 or a 400 with a message. Found
// by npm run fuzz: first for endpoints, then, with multipart bodies, for form actions too.
import { error } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages';

export async function formOf(request: Request): Promise<FormData> {
	const type = request.headers.get('content-type') ?? '';
	if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) {
		error(415, m.error_form_expected());
	}
	try {
		return await request.formData();
	} catch {
		error(400, m.error_form_expected());
	}
}

/** A reader of the form's text fields: trimmed, cut at `max` characters, '' when absent. */
export function textOf(form: FormData, max: number): (name: string) => string {
	return (name) =>
		String(form.get(name) ?? '')
			.trim()
			.slice(0, max);
}

/** Every field of the form as text (the last of a repeated name), each cut at `max` characters. */
export function entriesOf(form: FormData, max: number): Record<string, string> {
	return Object.fromEntries(
		[...form.entries()].map(([key, value]) => [key, String(value).slice(0, max)])
	);
}
