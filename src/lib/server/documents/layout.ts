// A small layout toolkit over pdf-lib: A4 pages with margins, wrapped text for Japanese (breaks
// anywhere) and English (breaks at spaces), a running header/footer with the document number and
// "page x / y", and tables that continue on the next page with their header repeated.
import fontkit from '@pdf-lib/fontkit';
import { PDFDocument, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import { fontBytes } from './fonts';

export const a4 = { width: 595.28, height: 841.89 };
export const margin = { top: 64, bottom: 64, left: 56, right: 56 };
const ink = rgb(0.1, 0.1, 0.12);
const muted = rgb(0.38, 0.38, 0.42);

export type DocumentMeta = {
	title: string;
	author: string;
	subject?: string;
	language: 'ja' | 'en';
	documentNumber: string;
};

export class Layout {
	private page!: PDFPage;
	private y = 0;
	readonly pages: PDFPage[] = [];

	private constructor(
		readonly pdf: PDFDocument,
		readonly regular: PDFFont,
		readonly bold: PDFFont,
		readonly meta: DocumentMeta
	) {
		this.newPage();
	}

	static async create(meta: DocumentMeta): Promise<Layout> {
		const pdf = await PDFDocument.create();
		pdf.registerFontkit(fontkit);
		const fonts = fontBytes();
		const regular = await pdf.embedFont(fonts.regular, { subset: true });
		const bold = await pdf.embedFont(fonts.bold, { subset: true });
		pdf.setTitle(meta.title, { showInWindowTitleBar: true });
		pdf.setAuthor(meta.author);
		pdf.setCreator(meta.author);
		pdf.setProducer('vaccination-affairs-portal (pdf-lib)');
		pdf.setLanguage(meta.language === 'ja' ? 'ja-JP' : 'en-GB');
		if (meta.subject) pdf.setSubject(meta.subject);
		return new Layout(pdf, regular, bold, meta);
	}

	get width(): number {
		return a4.width - margin.left - margin.right;
	}

	newPage(): void {
		this.page = this.pdf.addPage([a4.width, a4.height]);
		this.pages.push(this.page);
		this.y = a4.height - margin.top;
	}

	private ensure(height: number): void {
		if (this.y - height < margin.bottom) this.newPage();
	}

	space(points: number): void {
		this.y -= points;
	}

	/** Splits text into lines no wider than `width` (Japanese: any character; Latin: at spaces). */
	wrap(text: string, size: number, font: PDFFont = this.regular, width = this.width): string[] {
		const lines: string[] = [];
		for (const paragraph of text.split('\n')) {
			let line = '';
			const tokens = paragraph.match(/[!-~]+\s*|\s+|[^ -~]/gu) ?? [''];
			for (const token of tokens) {
				const candidate = line + token;
				if (font.widthOfTextAtSize(candidate.trimEnd(), size) <= width || line === '') {
					line = candidate;
					// A single unbreakable token wider than the line: cut it by characters.
					while (font.widthOfTextAtSize(line.trimEnd(), size) > width && line.length > 1) {
						let cut = line.length - 1;
						while (cut > 1 && font.widthOfTextAtSize(line.slice(0, cut), size) > width) cut--;
						lines.push(line.slice(0, cut));
						line = line.slice(cut);
					}
				} else {
					lines.push(line.trimEnd());
					line = token.trimStart();
				}
			}
			lines.push(line.trimEnd());
		}
		return lines;
	}

	text(
		text: string,
		options: {
			size?: number;
			bold?: boolean;
			color?: 'ink' | 'muted';
			indent?: number;
			gap?: number;
		} = {}
	): void {
		const size = options.size ?? 10.5;
		const font = options.bold ? this.bold : this.regular;
		const indent = options.indent ?? 0;
		const lineHeight = size * 1.6;
		for (const line of this.wrap(text, size, font, this.width - indent)) {
			this.ensure(lineHeight);
			this.y -= lineHeight;
			this.page.drawText(line, {
				x: margin.left + indent,
				y: this.y + size * 0.35,
				size,
				font,
				color: options.color === 'muted' ? muted : ink
			});
		}
		this.y -= options.gap ?? 4;
	}

	/** A boxed, large text (codes people must copy). */
	box(text: string, size = 20): void {
		const height = size * 2.2;
		this.ensure(height + 8);
		this.y -= height;
		this.page.drawRectangle({
			x: margin.left,
			y: this.y,
			width: this.width,
			height,
			borderColor: ink,
			borderWidth: 1.2
		});
		const textWidth = this.bold.widthOfTextAtSize(text, size);
		this.page.drawText(text, {
			x: margin.left + (this.width - textWidth) / 2,
			y: this.y + height / 2 - size * 0.35,
			size,
			font: this.bold,
			color: ink
		});
		this.y -= 8;
	}

	rule(): void {
		this.ensure(10);
		this.y -= 6;
		this.page.drawLine({
			start: { x: margin.left, y: this.y },
			end: { x: a4.width - margin.right, y: this.y },
			thickness: 0.6,
			color: muted
		});
		this.y -= 6;
	}

	table(columns: { header: string; width: number }[], rows: string[][], size = 8.5): void {
		const total = columns.reduce((sum, column) => sum + column.width, 0);
		const widths = columns.map((column) => (column.width / total) * this.width);
		const lineHeight = size * 1.45;
		const drawRow = (cells: string[], font: PDFFont) => {
			const wrapped = cells.map((cell, index) => this.wrap(cell, size, font, widths[index]! - 6));
			const height = Math.max(...wrapped.map((lines) => lines.length)) * lineHeight + 6;
			return { wrapped, height };
		};
		const header = drawRow(
			columns.map((column) => column.header),
			this.bold
		);
		const paint = (row: { wrapped: string[][]; height: number }, font: PDFFont) => {
			this.y -= row.height;
			let x = margin.left;
			row.wrapped.forEach((lines, index) => {
				lines.forEach((line, lineIndex) =>
					this.page.drawText(line, {
						x: x + 3,
						y: this.y + row.height - 3 - (lineIndex + 1) * lineHeight + size * 0.3,
						size,
						font,
						color: ink
					})
				);
				x += widths[index]!;
			});
			this.page.drawLine({
				start: { x: margin.left, y: this.y },
				end: { x: a4.width - margin.right, y: this.y },
				thickness: 0.4,
				color: muted
			});
		};
		this.ensure(header.height * 2);
		paint(header, this.bold);
		for (const cells of rows) {
			const row = drawRow(cells, this.regular);
			if (this.y - row.height < margin.bottom) {
				this.newPage();
				paint(header, this.bold);
			}
			paint(row, this.regular);
		}
		this.y -= 8;
	}

	/** Header and footer on every page, then the bytes. */
	async save(): Promise<Uint8Array> {
		const count = this.pages.length;
		this.pages.forEach((page, index) => {
			const size = 7.5;
			page.drawText(this.meta.author, {
				x: margin.left,
				y: a4.height - 36,
				size,
				font: this.regular,
				color: muted
			});
			const number = `No. ${this.meta.documentNumber}`;
			page.drawText(number, {
				x: a4.width - margin.right - this.regular.widthOfTextAtSize(number, size),
				y: a4.height - 36,
				size,
				font: this.regular,
				color: muted
			});
			const folio = `${index + 1} / ${count}`;
			page.drawText(folio, {
				x: (a4.width - this.regular.widthOfTextAtSize(folio, size)) / 2,
				y: 32,
				size,
				font: this.regular,
				color: muted
			});
		});
		return this.pdf.save({ useObjectStreams: true });
	}
}
