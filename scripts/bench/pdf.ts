// npm run bench:pdf [-- --runs 200 --doses 12] — renders the English certificate N times with
// pdf-lib (the product's renderer: layout, subset fonts, vector QR) and prints the median and p95
// time and the bytes; then the same content as HTML printed by the system Chromium (page.pdf(),
// the usual alternative), for comparison. Targets: ≥ 20× faster than Chromium, ≤ 10 ms median,
// ≤ 40 KB.
import { chromium } from '@playwright/test';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseArgs } from 'node:util';
import QRCode from 'qrcode';
import { renderCertificate } from '../../src/lib/server/documents/certificate';
import { englishDate } from '../../src/lib/server/documents/dates';
import { certificateContent, sampleDoses, sampleHealthCards } from '../lib/sample-documents';

const { values } = parseArgs({
	options: { runs: { type: 'string', default: '200' }, doses: { type: 'string', default: '12' } }
});
const runs = Number(values.runs);
const doses = sampleDoses(Number(values.doses));
const content = certificateContent(doses, await sampleHealthCards(doses));

const stats = (times: number[]) => {
	const sorted = [...times].sort((a, b) => a - b);
	const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
	return { median: at(0.5), p95: at(0.95) };
};

// pdf-lib: the first render parses the font (once per process); it is reported apart.
let started = performance.now();
let bytes = await renderCertificate(content);
const first = performance.now() - started;
const times: number[] = [];
for (let run = 0; run < runs; run++) {
	started = performance.now();
	bytes = await renderCertificate(content);
	times.push(performance.now() - started);
}
const ours = stats(times);
console.log(
	`pdf-lib certificate (${doses.length} doses): median ${ours.median.toFixed(2)} ms, p95 ${ours.p95.toFixed(2)} ms, ${(bytes.length / 1024).toFixed(1)} KB; first render (font parse) ${first.toFixed(0)} ms; ${runs} runs`
);

// Chromium: the same content as an HTML page with the same font, printed to A4.
const require = createRequire(import.meta.url);
const fontDir = path.dirname(require.resolve('@expo-google-fonts/noto-sans-jp/package.json'));
const escape = (text: string) =>
	text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
const holder = content.holder;
const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><style>
@font-face { font-family: 'Noto Sans JP'; src: url('file://${fontDir}/400Regular/NotoSansJP_400Regular.ttf'); font-weight: 400; }
@font-face { font-family: 'Noto Sans JP'; src: url('file://${fontDir}/700Bold/NotoSansJP_700Bold.ttf'); font-weight: 700; }
body { font-family: 'Noto Sans JP'; font-size: 10pt; margin: 0; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; } th, td { text-align: left; border-bottom: 0.4pt solid #666; padding: 3pt; vertical-align: top; }
dl { display: grid; grid-template-columns: 170pt 1fr; } dt { color: #555; } dd { margin: 0; font-weight: 700; }
</style></head><body>
<h1>Certificate of Vaccination</h1><h2>予防接種証明書</h2>
<dl><dt>Name (as in passport) / 氏名</dt><dd>${escape(holder.passportName)}</dd>
<dt>Name in Japanese / 氏名（漢字）</dt><dd>${escape(holder.nameKanji)}</dd>
<dt>Date of birth / 生年月日</dt><dd>${englishDate(holder.birthDate)}</dd>
<dt>Nationality / 国籍</dt><dd>${escape(holder.nationality)}</dd><dt>Passport No. / 旅券番号</dt><dd>${escape(holder.passportNumber ?? '')}</dd></dl>
<table><thead><tr><th>Vaccine / ワクチン</th><th>Dose / 回数</th><th>Date / 接種日</th><th>Lot / ロット</th><th>Manufacturer / 製造販売業者</th><th>Administered at / 接種機関</th></tr></thead><tbody>
${content.doses.map((dose) => `<tr><td>${escape(dose.vaccineEn)} (${escape(dose.diseasesEn)})<br>${escape(dose.vaccineJa)}</td><td>${escape(dose.doseEn)}<br>${escape(dose.doseJa)}</td><td>${englishDate(dose.administeredOn)}</td><td>${escape(dose.lotNumber ?? '')}</td><td>${escape(dose.manufacturer ?? '')}</td><td>${escape(dose.institutionEn ?? '')}</td></tr>`).join('')}
</tbody></table>
<p>This is to certify that the person named above received the vaccinations listed, as recorded in the vaccination register of Sakuradai City, Tokyo, Japan.</p>
<p>上記の者は、東京都さくら台市の予防接種台帳の記録のとおり予防接種を受けたことを証明します。</p>
${(
	await Promise.all(
		content.healthCards.map((card) =>
			QRCode.toString(
				[
					{ data: Buffer.from('shc:/'), mode: 'byte' },
					{ data: card.numeric.slice(5), mode: 'numeric' }
				],
				{ type: 'svg', errorCorrectionLevel: 'L', width: 200 }
			)
		)
	)
).join('')}
<p>${escape(content.verifyUrl)}</p></body></html>`;
const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
	args: process.getuid?.() === 0 ? ['--no-sandbox'] : []
});
try {
	const page = await browser.newPage();
	const chromiumRuns = Math.max(10, Math.floor(runs / 10));
	const chromiumTimes: number[] = [];
	let printed: Buffer = Buffer.alloc(0);
	for (let run = 0; run < chromiumRuns + 1; run++) {
		started = performance.now();
		await page.setContent(html, { waitUntil: 'load' });
		printed = await page.pdf({
			format: 'A4',
			margin: { top: '22mm', bottom: '22mm', left: '20mm', right: '20mm' }
		});
		// The first print warms the browser's font cache; it is left out like our first render.
		if (run > 0) chromiumTimes.push(performance.now() - started);
	}
	const theirs = stats(chromiumTimes);
	console.log(
		`Chromium page.pdf() same content: median ${theirs.median.toFixed(2)} ms, p95 ${theirs.p95.toFixed(2)} ms, ${(printed.length / 1024).toFixed(1)} KB; ${chromiumRuns} runs`
	);
	console.log(`pdf-lib is ${(theirs.median / ours.median).toFixed(1)}× faster (median)`);
} finally {
	await browser.close();
}
