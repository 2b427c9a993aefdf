// A small layout toolkit over pdf-lib: A4 pages with margins, wrapped text for Japanese (breaks
// anywhere) and English (breaks at spaces), a running header/footer with the document number and
// "page x / y", and tables that continue on the next page with their header repeated.
import { Readable } from 'node:stream';
import { deflateSync } from 'node:zlib';
import * as fontkit from 'fontkit';
import pako from 'pako';
import { createHash } from 'node:crypto';
import {
	concatTransformationMatrix,
	drawObject,
	PDFDict,
	PDFDocument,
	PDFName,
	popGraphicsState,
	pushGraphicsState,
	rgb,
	setFillingGrayscaleColor,
	type PDFFont,
	type PDFPage
} from 'pdf-lib';
import QRCode from 'qrcode';
import { fontBytes } from './fonts';

// pdf-lib's own fontkit fork (@pdf-lib/fontkit 1.1) corrupts TrueType subsets: it writes a short
// `loca` without padding odd-length glyph records, so some glyphs of Noto Sans JP render blank
// while pdftotext still reads them (fixed upstream in fontkit 1.8). pdf-lib takes any fontkit,
// so it gets upstream fontkit 2, adapted to the streaming subset API pdf-lib calls. The parsed
// font is kept per process: parsing Noto Sans JP costs far more than laying out a certificate
// (each PDF still gets its own subset of the glyphs it used).
const parsedFonts = new WeakMap<Uint8Array, fontkit.Font>();
const pdfLibFontkit = {
	create(data: Uint8Array): fontkit.Font {
		let font = parsedFonts.get(data);
		if (!font) {
			const parsed = fontkit.create(
				Buffer.from(data.buffer, data.byteOffset, data.byteLength)
			) as fontkit.Font;
			// pdf-lib writes glyphs with their advance widths and no positioning, so OpenType
			// shaping (GSUB/GPOS lookups per line) buys nothing here and was a third of the
			// render time: characters map straight to glyphs (no ligatures, which also keeps the
			// text layer one glyph per character).
			const glyphs = new Map<string, fontkit.Glyph>();
			const glyphOf = (character: string) => {
				let glyph = glyphs.get(character);
				if (!glyph) {
					glyph = parsed.glyphForCodePoint(character.codePointAt(0)!);
					glyphs.set(character, glyph);
				}
				return glyph;
			};
			parsed.layout = ((text: string) => ({
				glyphs: Array.from(text, glyphOf)
			})) as unknown as typeof parsed.layout;
			memoizeGlyphDecoding(parsed);
			const createSubset = parsed.createSubset.bind(parsed);
			parsed.createSubset = () => {
				const subset = createSubset();
				return Object.assign(subset, { encodeStream: () => Readable.from([subset.encode()]) });
			};
			parsedFonts.set(data, parsed);
			font = parsed;
		}
		return font;
	}
};

/**
 * fontkit's TrueType subsetter decodes every glyph it copies, for every document. Glyph objects
 * live as long as the parsed font (the whole process), so their decoded outline is kept on them.
 */
function memoizeGlyphDecoding(font: fontkit.Font): void {
	type Decodable = { _decode: () => unknown; _decoded?: unknown };
	const prototype = Object.getPrototypeOf(font.getGlyph(0)) as Decodable & { memoized?: true };
	if (prototype.memoized) return;
	const decode = prototype._decode;
	prototype._decode = function (this: Decodable) {
		if (!('_decoded' in this)) this._decoded = decode.call(this);
		return this._decoded;
	};
	prototype.memoized = true;
}

// pdf-lib compresses every stream (page content, font files, object streams) with pako, zlib in
// JavaScript: a third of a certificate's render time. Node's zlib gives the same DEFLATE data
// format natively, several times faster. pdf-lib looks pako.deflate up at each call, and pako is a
// direct dependency pinned to pdf-lib's version, so there is one pako and this reaches it.
pako.deflate = ((input: Uint8Array) =>
	new Uint8Array(deflateSync(input, { level: 6 }))) as unknown as typeof pako.deflate;

// Character widths per embedded font (fonts are per document, so the cache goes with it).
const characterWidths = new WeakMap<PDFFont, Map<string, number>>();

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
	/** Printed at the top of every page (defaults to the author). */
	header?: string;
	/**
	 * 'latin': bold applies to Latin text only and Japanese stays regular — an English document
	 * then carries one Japanese subset instead of two (kanji glyphs are what makes a PDF heavy).
	 */
	boldScripts?: 'all' | 'latin';
};

type DrawOptions = {
	x: number;
	y: number;
	size: number;
	font: PDFFont;
	color: ReturnType<typeof rgb>;
};

// Latin letters, digits, punctuation and symbols: what the bold face still draws under 'latin'.
const latinRun = /[\u0020-\u02ff\u2000-\u206f\u2100-\u214f]+/gu;

/** The smallest printed QR module: 0.5 mm in points. */
export const minModulePt = (0.5 / 25.4) * 72;

export class Layout {
	private page!: PDFPage;
	private y = 0;
	readonly pages: PDFPage[] = [];
	/** Documents in this file: one, or many in a print run (each with its own number and folio). */
	private readonly documents: { start: number; documentNumber: string; header?: string }[];

	private constructor(
		readonly pdf: PDFDocument,
		readonly regular: PDFFont,
		readonly bold: PDFFont,
		readonly meta: DocumentMeta
	) {
		this.documents = [{ start: 0, documentNumber: meta.documentNumber }];
		this.newPage();
	}

	/**
	 * Starts the next document of a print run on a new page: a mailing prints thousands of
	 * letters into one file, each numbered and paged on its own, sharing one font subset.
	 */
	startDocument(documentNumber: string, header?: string): void {
		this.newPage();
		this.documents.push({ start: this.pages.length - 1, documentNumber, header });
	}

	/** Pages per document, in order (for a print run's per-person records). */
	documentPages(): { documentNumber: string; firstPage: number; pages: number }[] {
		return this.documents.map((document, index) => {
			const end = this.documents[index + 1]?.start ?? this.pages.length;
			return {
				documentNumber: document.documentNumber,
				firstPage: document.start + 1,
				pages: end - document.start
			};
		});
	}

	static async create(meta: DocumentMeta): Promise<Layout> {
		const pdf = await PDFDocument.create();
		pdf.registerFontkit(pdfLibFontkit as never);
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

	/** A photo or scan (PNG/JPEG) scaled to fit what is left of the page, or a new page. */
	async image(bytes: Uint8Array, type: 'image/png' | 'image/jpeg'): Promise<void> {
		const image =
			type === 'image/png' ? await this.pdf.embedPng(bytes) : await this.pdf.embedJpg(bytes);
		const maxHeight = a4.height - margin.top - margin.bottom;
		const scale = Math.min(1, this.width / image.width, maxHeight / image.height);
		const height = image.height * scale;
		this.ensure(height + 4);
		this.y -= height;
		this.page.drawImage(image, {
			x: margin.left,
			y: this.y,
			width: image.width * scale,
			height
		});
		this.y -= 8;
	}

	/**
	 * The pages of another PDF, each scaled into the margins of a page of ours so the running
	 * header and page numbers stay readable.
	 */
	async pdfPages(bytes: Uint8Array): Promise<void> {
		const source = await PDFDocument.load(bytes);
		const embedded = await this.pdf.embedPages(source.getPages());
		const maxHeight = a4.height - margin.top - margin.bottom;
		for (const page of embedded) {
			this.newPage();
			const scale = Math.min(1, this.width / page.width, maxHeight / page.height);
			this.page.drawPage(page, {
				x: margin.left,
				y: a4.height - margin.top - page.height * scale,
				xScale: scale,
				yScale: scale
			});
			this.y = margin.bottom;
		}
	}

	/**
	 * Width of a line as the PDF will draw it: the sum of each glyph's advance (pdf-lib writes no
	 * kerning), from a per-font cache of character widths — shaping whole candidate lines again
	 * and again while wrapping cost most of a certificate's render time.
	 */
	widthOf(text: string, size: number, font: PDFFont = this.regular): number {
		if (font === this.bold && this.meta.boldScripts === 'latin') {
			return this.segments(text, font).reduce(
				(total, [part, partFont]) => total + this.plainWidth(part, size, partFont),
				0
			);
		}
		return this.plainWidth(text, size, font);
	}

	private plainWidth(text: string, size: number, font: PDFFont): number {
		let widths = characterWidths.get(font);
		if (!widths) {
			widths = new Map();
			characterWidths.set(font, widths);
		}
		let total = 0;
		for (const character of text) {
			let width = widths.get(character);
			if (width === undefined) {
				width = font.widthOfTextAtSize(character, 1000) / 1000;
				widths.set(character, width);
			}
			total += width;
		}
		return total * size;
	}

	/** The text cut into runs, each with the face that draws it. */
	private segments(text: string, font: PDFFont): [string, PDFFont][] {
		if (font !== this.bold || this.meta.boldScripts !== 'latin') return [[text, font]];
		const parts: [string, PDFFont][] = [];
		let at = 0;
		for (const match of text.matchAll(latinRun)) {
			if (match.index! > at) parts.push([text.slice(at, match.index), this.regular]);
			parts.push([match[0], this.bold]);
			at = match.index! + match[0].length;
		}
		if (at < text.length) parts.push([text.slice(at), this.regular]);
		return parts;
	}

	/** Draws one line, switching faces where the document's bold rule says so. */
	private draw(page: PDFPage, text: string, options: DrawOptions): void {
		let x = options.x;
		for (const [part, font] of this.segments(text, options.font)) {
			page.drawText(part, { ...options, x, font });
			x += this.plainWidth(part, options.size, font);
		}
	}

	/** Splits text into lines no wider than `width` (Japanese: any character; Latin: at spaces). */
	wrap(text: string, size: number, font: PDFFont = this.regular, width = this.width): string[] {
		const lines: string[] = [];
		for (const paragraph of text.split('\n')) {
			let line = '';
			const tokens = paragraph.match(/[!-~]+\s*|\s+|[^ -~]/gu) ?? [''];
			for (const token of tokens) {
				const candidate = line + token;
				if (this.widthOf(candidate.trimEnd(), size, font) <= width || line === '') {
					line = candidate;
					// A single unbreakable token wider than the line: cut it by characters.
					while (this.widthOf(line.trimEnd(), size, font) > width && line.length > 1) {
						let cut = line.length - 1;
						while (cut > 1 && this.widthOf(line.slice(0, cut), size, font) > width) cut--;
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
			/** Never wrapped: the size shrinks (to 6 pt at least) until the text fits one line. */
			singleLine?: boolean;
		} = {}
	): void {
		const font = options.bold ? this.bold : this.regular;
		const indent = options.indent ?? 0;
		let size = options.size ?? 10.5;
		if (options.singleLine) {
			while (size > 6 && this.widthOf(text, size, font) > this.width - indent) size -= 0.25;
		}
		const lineHeight = size * 1.6;
		for (const line of this.wrap(text, size, font, this.width - indent)) {
			this.ensure(lineHeight);
			this.y -= lineHeight;
			this.draw(this.page, line, {
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
		const textWidth = this.widthOf(text, size, this.bold);
		this.draw(this.page, text, {
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
					this.draw(this.page, line, {
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

	/** Label and value rows (the value wraps in its column). */
	fields(
		rows: [label: string, value: string][],
		options: { labelWidth?: number; size?: number } = {}
	) {
		const size = options.size ?? 10;
		const labelWidth = options.labelWidth ?? 150;
		const lineHeight = size * 1.55;
		for (const [label, value] of rows) {
			const labels = this.wrap(label, size - 1, this.regular, labelWidth - 8);
			const values = this.wrap(value, size, this.bold, this.width - labelWidth);
			const height = Math.max(labels.length, values.length) * lineHeight + 4;
			this.ensure(height);
			labels.forEach((line, index) =>
				this.draw(this.page, line, {
					x: margin.left,
					y: this.y - (index + 1) * lineHeight + size * 0.35,
					size: size - 1,
					font: this.regular,
					color: muted
				})
			);
			values.forEach((line, index) =>
				this.draw(this.page, line, {
					x: margin.left + labelWidth,
					y: this.y - (index + 1) * lineHeight + size * 0.35,
					size,
					font: this.bold,
					color: ink
				})
			);
			this.y -= height;
		}
		this.y -= 4;
	}

	/**
	 * A QR code (vector: one path of dark runs, sharp at any zoom and small in the file) with lines
	 * of text beside it, and an optional square for the official seal at the right.
	 */
	qrBlock(
		segments: QRCode.QRCodeSegment[],
		lines: { text: string; bold?: boolean; size?: number }[],
		options: { size?: number; seal?: string } = {}
	): void {
		// The mask is fixed rather than chosen by scoring all eight (half the QR's cost): the data
		// is a signature, random-looking already, and every reader decodes any mask.
		const qr = QRCode.create(segments, { errorCorrectionLevel: 'L', maskPattern: 2 });
		const count = qr.modules.size;
		const quiet = 4;
		// Each module at least 0.5 mm (1.42 pt) printed, so a phone reads it off paper.
		const side = Math.max(options.size ?? 150, (count + quiet * 2) * minModulePt);
		const module = side / (count + quiet * 2);
		this.ensure(side + 8);
		const top = this.y;
		// A 1-bit stencil (image mask), one sample per module, drawn at the QR's size: ~2 KB where
		// vector rectangles took ~7 KB, and viewers paint stencils without smoothing, so the
		// modules stay sharp (the integration test reads the QR back from a rendered page).
		const extent = count + quiet * 2;
		const rowBytes = Math.ceil(extent / 8);
		const samples = new Uint8Array(rowBytes * extent).fill(0xff);
		for (let row = 0; row < count; row++) {
			for (let column = 0; column < count; column++) {
				if (!qr.modules.get(row, column)) continue;
				const y = row + quiet;
				const x = column + quiet;
				// In an image mask a 0 sample is painted (with the fill colour).
				samples[y * rowBytes + (x >> 3)]! &= ~(0x80 >> (x & 7));
			}
		}
		const stencil = this.pdf.context.flateStream(samples, {
			Type: 'XObject',
			Subtype: 'Image',
			Width: extent,
			Height: extent,
			ImageMask: true,
			BitsPerComponent: 1,
			Interpolate: false
		});
		const name = this.page.node.newXObject('QR', this.pdf.context.register(stencil));
		this.page.pushOperators(
			pushGraphicsState(),
			setFillingGrayscaleColor(0),
			concatTransformationMatrix(side, 0, 0, side, margin.left, top - side),
			drawObject(name),
			popGraphicsState()
		);
		let textY = top - module * quiet;
		const textX = margin.left + side + 10;
		const sealSide = options.seal ? 84 : 0;
		const textWidth = this.width - side - 10 - (sealSide ? sealSide + 12 : 0);
		for (const line of lines) {
			const size = line.size ?? 9;
			const font = line.bold ? this.bold : this.regular;
			for (const wrapped of this.wrap(line.text, size, font, textWidth)) {
				textY -= size * 1.5;
				this.draw(this.page, wrapped, { x: textX, y: textY, size, font, color: ink });
			}
			textY -= 3;
		}
		if (options.seal) {
			const x = a4.width - margin.right - sealSide;
			const y = top - module * quiet - sealSide;
			this.page.drawRectangle({
				x,
				y,
				width: sealSide,
				height: sealSide,
				borderColor: muted,
				borderWidth: 0.6,
				borderDashArray: [3, 2]
			});
			const sealLines = this.wrap(options.seal, 7, this.regular, sealSide - 8);
			sealLines.forEach((line, index) =>
				this.draw(this.page, line, {
					x: x + (sealSide - this.widthOf(line, 7)) / 2,
					y: y + sealSide / 2 + (sealLines.length / 2 - index - 1) * 9 + 2,
					size: 7,
					font: this.regular,
					color: muted
				})
			);
		}
		this.y = Math.min(top - side, textY) - 8;
	}

	/** A rectangle with text lines inside (a form's answer box, a notice's key sentence). */
	framed(lines: string[], options: { size?: number; minHeight?: number } = {}): void {
		const size = options.size ?? 10;
		const lineHeight = size * 1.6;
		const wrapped = lines.flatMap((line) => this.wrap(line, size, this.regular, this.width - 16));
		const height = Math.max(options.minHeight ?? 0, wrapped.length * lineHeight + 12);
		this.ensure(height + 6);
		this.page.drawRectangle({
			x: margin.left,
			y: this.y - height,
			width: this.width,
			height,
			borderColor: ink,
			borderWidth: 0.8
		});
		wrapped.forEach((line, index) =>
			this.draw(this.page, line, {
				x: margin.left + 8,
				y: this.y - 6 - (index + 1) * lineHeight + size * 0.35,
				size,
				font: this.regular,
				color: ink
			})
		);
		this.y -= height + 6;
	}

	private decorate(
		page: PDFPage,
		text: { header: string; number: string; folio: string; size: number }
	): void {
		const { size } = text;
		this.draw(page, text.header, {
			x: margin.left,
			y: a4.height - 36,
			size,
			font: this.regular,
			color: muted
		});
		this.draw(page, text.number, {
			x: a4.width - margin.right - this.widthOf(text.number, size),
			y: a4.height - 36,
			size,
			font: this.regular,
			color: muted
		});
		this.draw(page, text.folio, {
			x: (a4.width - this.widthOf(text.folio, size)) / 2,
			y: 32,
			size,
			font: this.regular,
			color: muted
		});
	}

	/** Header and footer on every page, then the bytes. */
	async save(): Promise<Uint8Array> {
		const size = 7.5;
		for (const [index, document] of this.documents.entries()) {
			const end = this.documents[index + 1]?.start ?? this.pages.length;
			const count = end - document.start;
			for (let page = document.start; page < end; page++) {
				this.decorate(this.pages[page]!, {
					header: document.header ?? this.meta.header ?? this.meta.author,
					number: `No. ${document.documentNumber}`,
					folio: `${page - document.start + 1} / ${count}`,
					size
				});
			}
		}
		await this.pdf.flush();
		tagSubsetFonts(this.pdf);
		return this.pdf.save({ useObjectStreams: true });
	}
}

/**
 * PDF readers recognise a subset font by a six-letter tag before its name (ISO 32000 9.6.4:
 * "ABCDEF+NotoSansJP-Regular"); pdf-lib names its subsets "NotoSansJP-Regular-1234" instead.
 * The tag is derived from the document, so the same content gives the same bytes' names.
 */
function tagSubsetFonts(pdf: PDFDocument): void {
	const renamed = new Map<string, string>();
	const tagOf = (name: string) => {
		let tagged = renamed.get(name);
		if (!tagged) {
			const digest = createHash('sha256').update(name).digest();
			const tag = [...digest.subarray(0, 6)].map((byte) => String.fromCharCode(65 + (byte % 26)));
			tagged = `${tag.join('')}+${name.replace(/-\d+$/, '')}`;
			renamed.set(name, tagged);
		}
		return tagged;
	};
	for (const [, object] of pdf.context.enumerateIndirectObjects()) {
		if (!(object instanceof PDFDict)) continue;
		for (const key of ['BaseFont', 'FontName']) {
			const value = object.get(PDFName.of(key));
			if (value instanceof PDFName) {
				const name = value.decodeText();
				if (/^NotoSansJP-\w+-\d+$/.test(name)) object.set(PDFName.of(key), PDFName.of(tagOf(name)));
			}
		}
	}
}
