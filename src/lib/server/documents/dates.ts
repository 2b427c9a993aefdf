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

/** 令和8年11月23日 — the era form the city's own forms use. */
export function eraDate(iso: string): string {
	const [year, month, day] = iso.split('-').map(Number) as [number, number, number];
	const reiwa = year - 2018;
	const heisei = year - 1988;
	const showa = year - 1925;
	const era =
		iso >= '2019-05-01'
			? `令和${reiwa === 1 ? '元' : reiwa}年`
			: iso >= '1989-01-08'
				? `平成${heisei === 1 ? '元' : heisei}年`
				: `昭和${showa}年`;
	return `${era}${month}月${day}日`;
}
