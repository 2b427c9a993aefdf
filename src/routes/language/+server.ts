// Language switch that works without JavaScript: a form posts here, we set the locale cookie
// that paraglide reads, and send the browser back to the page it came from.
import { redirect, error } from '@sveltejs/kit';
import { cookieName, cookieMaxAge, isLocale } from '$lib/paraglide/runtime';
import { m } from '$lib/paraglide/messages';
import { formOf } from '$lib/server/http/form';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async ({ request, cookies, url }) => {
	const form = await formOf(request);
	const locale = String(form.get('locale') ?? '');
	if (!isLocale(locale)) error(400, m.error_locale_unsupported());
	const target = String(form.get('redirect') ?? '/');
	// Only a path on this site: never an open redirect.
	const safeTarget =
		target.startsWith('/') && !target.startsWith('//') && !target.includes('\\') ? target : '/';
	cookies.set(cookieName, locale, {
		path: '/',
		maxAge: cookieMaxAge,
		httpOnly: false,
		sameSite: 'lax',
		secure: url.protocol === 'https:'
	});
	redirect(303, safeTarget);
};
