// npm run bench:import [-- --rows 1000000 --letters 5000]
// The 住基 異動 import and the mailing batch, on a throw-away embedded PostgreSQL:
// - rows/s for a first load of ROWS register lines (households of a 世帯主, a spouse and a child),
//   for the same file again (every line unchanged), and for a file of 異動 (転居, 世帯変更, 転出,
//   出生) a tenth of that size;
// - PDFs/s for a newborn mailing of LETTERS people, letters only and with 予診票, rendered part
//   by part as the worker does, and the time to merge the print file.
import { createWriteStream, mkdtempSync, rmSync, statSync, createReadStream } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { loadDemoCity } from '../../src/lib/server/demo/load';
import { createMailingBatch } from '../../src/lib/server/mailings/batches';
import { finishBatch, renderNextPart } from '../../src/lib/server/mailings/render';
import { mailingCriteria } from '../../src/lib/server/mailings/selection';
import { feedColumns } from '../../src/lib/server/residents/registry-feed';
import { importRegistryFeed } from '../../src/lib/server/residents/registry-import';
import { scratchDatabase } from './scratch-database';
import { tokyoDate } from '../../src/lib/server/time';

const { values } = parseArgs({
	options: {
		rows: { type: 'string', default: '1000000' },
		letters: { type: 'string', default: '5000' }
	}
});
const rows = Number(values.rows);
const letters = Number(values.letters);
const city = '139998';
const now = new Date();
const today = tokyoDate(now);
const actor = { type: 'system', id: 'bench', role: 'system' } as const;
const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-import-'));

const day = (offset: number) =>
	new Date(Date.parse(today) - offset * 86_400_000).toISOString().slice(0, 10);
const names = ['佐藤', '鈴木', '高橋', '田中', '伊藤', '渡辺', '山本', '中村', '小林', '加藤'];
const kana = [
	'サトウ',
	'スズキ',
	'タカハシ',
	'タナカ',
	'イトウ',
	'ワタナベ',
	'ヤマモト',
	'ナカムラ',
	'コバヤシ',
	'カトウ'
];

function person(
	household: number,
	member: 0 | 1 | 2,
	change: string,
	effective: string,
	overrides: Partial<Record<(typeof feedColumns)[number], string>> = {}
) {
	const surname = household % names.length;
	const values: Record<string, string> = {
		change,
		effective_on: effective,
		atena_number: String(100_000_000 + household * 3 + member),
		household_number: `H${household}`,
		is_household_head: member === 0 ? '1' : '0',
		relationship: ['世帯主', '妻', '子'][member]!,
		name_kanji: `${names[surname]}　${['太郎', '花子', '陽向'][member]}`,
		name_kana: `${kana[surname]}　${['タロウ', 'ハナコ', 'ヒナタ'][member]}`,
		birth_date:
			member === 2
				? day(30 + (household % (letters > 0 ? 300 : 1)))
				: member === 0
					? '1985-04-01'
					: '1987-06-15',
		sex: member === 1 ? '2' : '1',
		postal_code: `100-${String(household % 10_000).padStart(4, '0')}`,
		address: `さくら台市本町${(household % 50) + 1}-${household}`,
		resident_type: '1',
		...overrides
	};
	if (member === 2 && change === 'birth') values.effective_on = values.birth_date!;
	return feedColumns.map((column) => values[column] ?? '').join(',');
}

async function writeFile(name: string, lines: Iterable<string>): Promise<string> {
	const file = path.join(dir, name);
	const out = createWriteStream(file);
	out.write(`${feedColumns.join(',')}\n`);
	for (const line of lines) if (!out.write(`${line}\n`)) await once(out, 'drain');
	out.end();
	await once(out, 'finish');
	return file;
}

function* firstLoad() {
	for (let household = 0; household * 3 < rows; household++) {
		yield person(household, 0, 'move_in', '2020-04-01');
		yield person(household, 1, 'move_in', '2020-04-01');
		yield person(household, 2, 'birth', '');
	}
}
function* changes() {
	for (let household = 0; household * 30 < rows; household++) {
		const target = household * 10;
		switch (household % 4) {
			case 0:
				yield person(target, 0, 'move_within', day(3), {
					address: `さくら台市北町${household}`,
					postal_code: '100-0009'
				});
				break;
			case 1:
				yield person(target, 2, 'household', day(3), { household_number: `H${target + 1}` });
				break;
			case 2:
				yield person(target, 1, 'move_out', day(3));
				break;
			default:
				yield person(target, 0, 'update', day(3), { phone: '090-1234-5678' });
		}
	}
}

const database = await scratchDatabase();
try {
	await loadDemoCity(database.owner, {
		seed: '1',
		residents: 1,
		asOf: today,
		myNumberKey: { id: 'bench', key: randomBytes(32) }
	});
	const db = database.backoffice(4);
	const run = async (label: string, file: string) => {
		const started = performance.now();
		const report = await importRegistryFeed(db, {
			municipalityCode: city,
			fileName: path.basename(file),
			source: createReadStream(file),
			dryRun: false,
			actor,
			now
		});
		const seconds = (performance.now() - started) / 1000;
		const lines = report.lines - 1;
		console.log(
			`${label.padEnd(34)} ${lines.toLocaleString()} lines (${(statSync(file).size / 1e6).toFixed(0)} MB) in ${seconds.toFixed(1)} s = ${Math.round(lines / seconds).toLocaleString()} rows/s ` +
				`[new ${report.counts.insert}, updated ${report.counts.update}, moved out ${report.counts.move_out}, unchanged ${report.counts.unchanged}, refused ${report.errorCount}; links +${report.guardianships.added} −${report.guardianships.removed}]`
		);
	};
	const first = await writeFile('first.csv', firstLoad());
	await run('registry first load', first);
	await run('registry same file again', first);
	await run('registry 異動 file', await writeFile('changes.csv', changes()));

	if (letters > 0) {
		for (const withQuestionnaires of [false, true]) {
			const count = withQuestionnaires ? Math.ceil(letters / 5) : letters;
			// The youngest children born in the last year: as many as asked for.
			const births = await db
				.selectFrom('resident')
				.select('birth_date')
				.where('relationship', '=', '子')
				.where('status', '=', 'resident')
				.orderBy('birth_date', 'desc')
				.offset(count - 1)
				.limit(1)
				.executeTakeFirstOrThrow();
			const criteria = mailingCriteria.parse({
				kind: 'newborn',
				bornFrom: births.birth_date,
				bornUntil: today,
				vaccines: withQuestionnaires ? ['bcg', 'hepatitis_b'] : [],
				withQuestionnaires
			});
			let started = performance.now();
			const batch = await createMailingBatch(db, { municipalityCode: city, criteria, actor, now });
			const created = (performance.now() - started) / 1000;
			started = performance.now();
			// Two workers, as on this 2-core machine's back office.
			const worker = async () => {
				while ((await renderNextPart(db, batch.id, 'https://portal.example/')) === 'rendered');
			};
			await Promise.all([worker(), worker()]);
			const rendered = (performance.now() - started) / 1000;
			started = performance.now();
			await finishBatch(db, batch.id);
			const merged = (performance.now() - started) / 1000;
			const { print_pages: pages, size } = await db
				.selectFrom('mailing_batch')
				.select(['print_pages', (eb) => eb.fn<number>('octet_length', ['print_file']).as('size')])
				.where('id', '=', batch.id)
				.executeTakeFirstOrThrow();
			console.log(
				`mailing ${withQuestionnaires ? 'letters + 予診票' : 'letters only'}`.padEnd(34) +
					` ${batch.recipients.toLocaleString()} people, ${pages} pages: selected ${created.toFixed(1)} s, rendered ${rendered.toFixed(1)} s = ` +
					`${(batch.recipients / rendered).toFixed(0)} people/s (${(pages! / rendered).toFixed(0)} pages/s), merged ${merged.toFixed(1)} s, print file ${(Number(size) / 1e6).toFixed(1)} MB`
			);
		}
	}
} finally {
	await database.stop();
	rmSync(dir, { recursive: true, force: true });
}
