// Dates as people in Japan read them, in the page's language, always in Japan time.
import { getLocale } from '$lib/paraglide/runtime';

export function formatDateTime(iso: string, dateStyle: 'long' | 'medium' = 'medium'): string {
	return new Intl.DateTimeFormat(getLocale() === 'en' ? 'en-GB' : 'ja-JP', {
		dateStyle,
		timeStyle: 'short',
		timeZone: 'Asia/Tokyo'
	}).format(new Date(iso));
}
