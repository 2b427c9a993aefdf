// Where a sign-in returns to (?next=): a path of this site, of the realm that was signed in to,
// that leads to a page we have. It is parsed as a URL against our own origin, as a browser would,
// and only its parsed path, query and fragment are sent back, so what the browser follows is what
// was checked. A control character (a browser drops tab, CR and LF: "/\t/evil.example" becomes
// "//evil.example"), a backslash (read as a slash) or an encoded slash never occurs in a path of
// ours, and such a value goes home (issue 24, item 4).
import type { AuthRealm } from './webauthn';

/** The signed-in resident pages: src/routes/(portal)/(signed-in)/<segment> (a unit test checks). */
export const residentSections = [
	'account',
	'applications',
	'apply',
	'auth',
	'documents',
	'home',
	'people',
	'requests'
] as const;

const placeholder = 'https://next.invalid';

export function safeNext(next: string | null, realm: AuthRealm): string {
	const home = realm === 'staff' ? '/staff' : '/home';
	if (!next || next.length > 1024 || !next.startsWith('/') || next.startsWith('//')) return home;
	// eslint-disable-next-line no-control-regex -- control characters are what this refuses
	if (/[\u0000-\u0020\u007f-\u009f\\]/u.test(next) || /%(2f|5c|0[0-9a-f]|1[0-9a-f]|7f)/i.test(next))
		return home;
	let url: URL;
	try {
		url = new URL(next, placeholder);
	} catch {
		return home;
	}
	if (url.origin !== placeholder) return home;
	const [, section = ''] = url.pathname.split('/');
	const known =
		realm === 'staff'
			? section === 'staff'
			: (residentSections as readonly string[]).includes(section);
	return known ? url.pathname + url.search + url.hash : home;
}
