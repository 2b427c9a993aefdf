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

describe('embedded font subsets', () => {
	// A subset must draw every glyph exactly as the whole font does: pdftotext cannot tell (the
	// text layer survives a broken glyph table), so the pages are rasterised and compared.
	it('render pixel for pixel like the full font', async () => {
		const { execFileSync } = await import('node:child_process');
		const { mkdtempSync, readFileSync, writeFileSync } = await import('node:fs');
		const os = await import('node:os');
		const path = await import('node:path');
		const { PDFDocument } = await import('pdf-lib');
		const { fontBytes } = await import('./fonts');
		const text = 'Certificate of Vaccination 予防接種証明書 髙橋 﨑太郎 TAKAHASHI';
		const dir = mkdtempSync(path.join(os.tmpdir(), 'subset-'));
		const raster = async (subset: boolean) => {
			const layout = await Layout.create({
				title: 't',
				author: ' ',
				language: 'ja',
				documentNumber: ' '
			});
			if (!subset) {
				// The same page with the whole font embedded (several MB): the reference.
				const pdf = await PDFDocument.create();
				pdf.registerFontkit((layout.pdf as unknown as { fontkit: never }).fontkit);
				const font = await pdf.embedFont(fontBytes().regular, { subset: false });
				pdf.addPage([595.28, 841.89]).drawText(text, { x: 56, y: 700, size: 14, font });
				writeFileSync(path.join(dir, 'full.pdf'), await pdf.save());
			} else {
				const pdf = layout.pdf;
				pdf.removePage(0);
				pdf
					.addPage([595.28, 841.89])
					.drawText(text, { x: 56, y: 700, size: 14, font: layout.regular });
				writeFileSync(path.join(dir, 'subset.pdf'), await pdf.save());
			}
			const name = subset ? 'subset' : 'full';
			execFileSync('pdftoppm', [
				'-r',
				'72',
				'-gray',
				'-singlefile',
				path.join(dir, `${name}.pdf`),
				path.join(dir, name)
			]);
			return readFileSync(path.join(dir, `${name}.pgm`));
		};
		const [subset, full] = [await raster(true), await raster(false)];
		expect(subset.length).toBe(full.length);
		expect(Buffer.compare(subset, full)).toBe(0);
	}, 30_000);
});
