import { describe, expect, it } from 'vitest';
import { Layout } from './layout';

describe('Layout.wrap', async () => {
	const layout = await Layout.create({
		title: 't',
		author: 'a',
		language: 'ja',
		documentNumber: '1'
	});
	const width = 200;
	const fits = (lines: string[], size: number) =>
		lines.every((line) => layout.regular.widthOfTextAtSize(line, size) <= width);

	it('breaks Japanese between any two characters and loses none', () => {
		const text = '予防接種の手続きをスマートフォンから行うための登録コードをお送りします。'.repeat(
			3
		);
		const lines = layout.wrap(text, 10.5, layout.regular, width);
		expect(lines.length).toBeGreaterThan(2);
		expect(fits(lines, 10.5)).toBe(true);
		expect(lines.join('')).toBe(text);
	});

	it('breaks English at spaces, and cuts a word longer than the line', () => {
		const text = 'Open the portal on your phone and enter the code with your date of birth.';
		const lines = layout.wrap(text, 10.5, layout.regular, width);
		expect(fits(lines, 10.5)).toBe(true);
		for (const line of lines) expect(line).not.toMatch(/^\s|\s$/);
		expect(lines.join(' ')).toBe(text);
		const long = layout.wrap('x'.repeat(200), 10.5, layout.regular, width);
		expect(long.length).toBeGreaterThan(1);
		expect(fits(long, 10.5)).toBe(true);
		expect(long.join('')).toBe('x'.repeat(200));
	});

	it('keeps explicit line breaks', () => {
		expect(layout.wrap('一行目\n二行目', 10.5, layout.regular, width)).toEqual([
			'一行目',
			'二行目'
		]);
	});
});
