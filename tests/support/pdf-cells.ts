// An independent reader of a PDF table's cells, written for the tests and sharing nothing with the
// layout code that draws them: poppler's pdftotext -bbox-layout groups the words it finds into
// blocks by position, and each cell of our tables comes out as a block of its own. A cell of an
// English document may carry Japanese beside English, never Japanese alone (issue 25, item 2).
import { execFileSync } from 'node:child_process';

type Word = { text: string; x: number; y: number };
export type Block = { page: number; x: number; y: number; words: Word[]; text: string };

const number = (tag: string, name: string) =>
	Number(new RegExp(`${name}="([0-9.]+)"`).exec(tag)![1]);
const unescape = (text: string) =>
	text
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&quot;/g, '"')
		.replace(/&#39;/g, "'")
		.replace(/&amp;/g, '&');

/** Every text block of the file, page by page, with its words. */
export function pdfBlocks(file: string): Block[] {
	const xhtml = execFileSync('pdftotext', ['-bbox-layout', file, '-'], {
		encoding: 'utf8',
		maxBuffer: 64 * 1024 * 1024
	});
	const blocks: Block[] = [];
	xhtml
		.split('<page ')
		.slice(1)
		.forEach((page, index) => {
			for (const block of page.split('<block ').slice(1)) {
				const words = [...block.matchAll(/<word ([^>]*)>([^<]*)<\/word>/g)].map((match) => ({
					text: unescape(match[2]!),
					x: number(match[1]!, 'xMin'),
					y: number(match[1]!, 'yMin')
				}));
				blocks.push({
					page: index + 1,
					x: number(block, 'xMin'),
					y: number(block, 'yMin'),
					words,
					text: words.map((word) => word.text).join(' ')
				});
			}
		});
	return blocks;
}

const japanese = /[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f]/;
const english = /^[A-Za-z0-9().,'’&/-]*[A-Za-z][A-Za-z0-9().,'’&/-]*$/;

/**
 * The cells of the table whose header row starts with `firstHeader` (on every page it appears)
 * down to the first block starting with `after`, that hold Japanese but no English word.
 */
export function japaneseOnlyCells(blocks: Block[], firstHeader: string, after: string): Block[] {
	const found: Block[] = [];
	for (const page of new Set(blocks.map((block) => block.page))) {
		const onPage = blocks.filter((block) => block.page === page);
		const header = onPage.find((block) => block.text.startsWith(firstHeader));
		if (!header) continue;
		const end = onPage.find((block) => block.y > header.y && block.text.startsWith(after));
		for (const block of onPage) {
			if (block.y <= header.y || (end && block.y >= end.y)) continue;
			if (!japanese.test(block.text)) continue;
			if (!block.words.some((word) => english.test(word.text))) found.push(block);
		}
	}
	return found;
}
