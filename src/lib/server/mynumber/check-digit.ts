// 個人番号 check digit (行政手続における特定の個人を識別するための番号の利用等に関する法律施行令 第8条).

/** True when the value is 12 digits whose last digit is the correct check digit. */
export function isValidMyNumber(value: string): boolean {
	if (!/^[0-9]{12}$/.test(value)) return false;
	return myNumberCheckDigit(value.slice(0, 11)) === Number(value[11]);
}

/** The check digit for the first 11 digits. */
export function myNumberCheckDigit(first11: string): number {
	let sum = 0;
	for (let n = 1; n <= 11; n++) {
		const digit = Number(first11[11 - n]); // P_n counts from the right
		const weight = n <= 6 ? n + 1 : n - 5;
		sum += digit * weight;
	}
	const remainder = sum % 11;
	return remainder <= 1 ? 0 : 11 - remainder;
}

/** Every 12-digit run in a text that is a valid 個人番号 (used to keep them out of logs). */
export function findMyNumbers(text: string): string[] {
	return (text.match(/(?<![0-9])[0-9]{12}(?![0-9])/g) ?? []).filter(isValidMyNumber);
}
