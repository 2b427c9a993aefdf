// Dates as printed on documents: 2026年11月23日 in Japanese, 23 November 2026 in English (day
// first and the month in words, so no reader abroad mistakes 03/04 for 4 March or 3 April).
const months = [
	'January',
	'February',
	'March',
	'April',
	'May',
	'June',
	'July',
	'August',
	'September',
	'October',
	'November',
	'December'
];

export function japaneseDate(iso: string): string {
	const [year, month, day] = iso.split('-');
	return `${year}年${Number(month)}月${Number(day)}日`;
}

export function englishDate(iso: string): string {
	const [year, month, day] = iso.split('-');
	return `${Number(day)} ${months[Number(month) - 1]} ${year}`;
}

const eraFormat = new Intl.DateTimeFormat('ja-JP-u-ca-japanese', {
	era: 'long',
	year: 'numeric',
	month: 'numeric',
	day: 'numeric',
	timeZone: 'UTC'
});

/**
 * 令和8年11月23日 — the era form the city's own forms use, from the built-in Japanese calendar
 * (明治 to 令和, each era's first year written 元年: 昭和元年12月25日). People born under 大正 and
 * 明治 still receive B類 notices, so no era is left out.
 */
export function eraDate(iso: string): string {
	const parts = Object.fromEntries(
		eraFormat.formatToParts(new Date(`${iso}T00:00:00Z`)).map((part) => [part.type, part.value])
	);
	const year = parts.year === '1' ? '元' : parts.year;
	return `${parts.era}${year}年${parts.month}月${parts.day}日`;
}
