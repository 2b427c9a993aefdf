// Dates as people in Japan read them, in the page's language, always in Japan time.
import { getLocale } from '$lib/paraglide/runtime';

export function formatDateTime(iso: string, dateStyle: 'long' | 'medium' = 'medium'): string {
	return new Intl.DateTimeFormat(getLocale() === 'en' ? 'en-GB' : 'ja-JP', {
		dateStyle,
		timeStyle: 'short',
		timeZone: 'Asia/Tokyo'
	}).format(new Date(iso));
}

/** A calendar date ('YYYY-MM-DD'), optionally shifted by days (an exclusive end shown inclusive). */
export function formatDate(iso: string, shiftDays = 0): string {
	const date = new Date(`${iso}T00:00:00Z`);
	date.setUTCDate(date.getUTCDate() + shiftDays);
	return new Intl.DateTimeFormat(getLocale() === 'en' ? 'en-GB' : 'ja-JP', {
		dateStyle: 'long',
		timeZone: 'UTC'
	}).format(date);
}
