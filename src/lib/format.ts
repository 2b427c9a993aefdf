// Dates as people in Japan read them, in the page's language, always in Japan time.
import { getLocale } from '$lib/paraglide/runtime';

// Building an Intl.DateTimeFormat costs far more than using one, and a list page formats
// hundreds of dates: one formatter per language and style, made on first use.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(key: string, make: (locale: string) => Intl.DateTimeFormat) {
	const locale = getLocale() === 'en' ? 'en-GB' : 'ja-JP';
	const id = `${locale}|${key}`;
	let made = formatters.get(id);
	if (!made) formatters.set(id, (made = make(locale)));
	return made;
}

export function formatDateTime(iso: string, dateStyle: 'long' | 'medium' = 'medium'): string {
	return formatter(
		`datetime:${dateStyle}`,
		(locale) =>
			new Intl.DateTimeFormat(locale, { dateStyle, timeStyle: 'short', timeZone: 'Asia/Tokyo' })
	).format(new Date(iso));
}

/** A calendar date ('YYYY-MM-DD'), optionally shifted by days (an exclusive end shown inclusive). */
export function formatDate(iso: string, shiftDays = 0): string {
	const date = new Date(`${iso}T00:00:00Z`);
	date.setUTCDate(date.getUTCDate() + shiftDays);
	return formatter(
		'date',
		(locale) => new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' })
	).format(date);
}
