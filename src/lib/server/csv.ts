// CSV for people who open it in a spreadsheet: every export of the back office goes through here.
export function toCsv(
	header: string[],
	rows: (string | number | boolean | null | Date)[][]
): string {
	const cell = (value: string | number | boolean | null | Date) => {
		const text = value === null ? '' : value instanceof Date ? value.toISOString() : String(value);
		// A leading =, +, - or @ would run as a formula in a spreadsheet (CSV injection).
		const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
		return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
	};
	// BOM: Excel in Japan opens UTF-8 CSV correctly only with it.
	return `\ufeff${[header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n')}\r\n`;
}
