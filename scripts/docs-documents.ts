// npm run docs:documents — renders every document type with a fictional person and writes a PNG
// of each first page (and the certificate's second page when it has one) to docs/documents/,
// with poppler's pdftoppm, so a reader of the README can see them.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { sampleDocuments } from './lib/sample-documents';

const out = path.resolve('docs/documents');
mkdirSync(out, { recursive: true });
const work = mkdtempSync(path.join(os.tmpdir(), 'documents-'));
for (const [name, bytes] of await sampleDocuments()) {
	const file = path.join(work, `${name}.pdf`);
	writeFileSync(file, bytes);
	const pages = Number(
		/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))![1]
	);
	const last = name.startsWith('certificate') ? Math.min(pages, 2) : 1;
	execFileSync('pdftoppm', [
		'-r',
		'60',
		'-png',
		'-f',
		'1',
		'-l',
		String(last),
		file,
		path.join(out, name)
	]);
	// Grey, 16 levels: a tenth of the bytes of poppler's RGB, no visible difference for print.
	for (const png of readdirSync(out).filter((entry) => entry.startsWith(`${name}-`))) {
		const target = path.join(out, png);
		const grey = await sharp(readFileSync(target))
			.grayscale()
			.png({ palette: true, colours: 16 })
			.toBuffer();
		writeFileSync(target, grey);
	}
	console.log(`${name}: ${pages} page(s), ${(bytes.length / 1024).toFixed(1)} KB`);
}
