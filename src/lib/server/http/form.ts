// Endpoints (+server.ts) that take a browser form. SvelteKit refuses non-form bodies for form
// actions itself (415), but not for endpoints: there a JSON or truncated body would throw a
// TypeError, answered 500. Found by npm run fuzz.
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
