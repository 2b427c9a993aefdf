// npm run registry:import -- --file ido.csv [--dry-run] [--municipality CODE] [--lang ja|en]
// Applies a 住民基本台帳 異動 feed (docs/registry-feed.md) to the register, or with --dry-run shows
// what it would change. Bad lines are listed by number and skipped; running a file twice changes
// nothing the second time. Works while the app is running on the embedded database.
import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { createDatabase } from '../src/lib/server/db';
import { launchDatabase } from '../src/lib/server/db/launch';
import { findServedMunicipality } from '../src/lib/server/municipality';
import { importRegistryFeed } from '../src/lib/server/residents/registry-import';
import { messageFor } from './lib/messages';
import { runCommand, UsageError } from './lib/run';

const usage =
	'usage: npm run registry:import -- --file FILE.csv [--dry-run] [--municipality CODE] [--lang ja|en]';

await runCommand(async () => {
	const { values } = parseArgs({
		options: {
			file: { type: 'string' },
			'dry-run': { type: 'boolean', default: false },
			municipality: { type: 'string' },
			lang: { type: 'string', default: 'ja' }
		}
	});
	if (!values.file) throw new UsageError(usage);
	if (values.lang !== 'ja' && values.lang !== 'en') throw new UsageError('--lang must be ja or en');
	const locale = values.lang;
	let size: number;
	try {
		size = statSync(values.file).size;
	} catch {
		throw new UsageError(`cannot read ${values.file}`);
	}
	const database = await launchDatabase(process.env, { attach: true });
	const db = createDatabase(database.ownerUrl, { max: 2 });
	const bar = process.stderr.isTTY
		? new cliProgress.SingleBar(
				{ format: '{bar} {percentage}% | {lines} lines | ETA {eta_formatted}', etaBuffer: 20 },
				cliProgress.Presets.shades_classic
			)
		: null;
	try {
		const city = await findServedMunicipality(
			db,
			values.municipality ?? process.env.MUNICIPALITY_CODE
		);
		if (!city) throw new UsageError('no municipality found: load one first or pass --municipality');
		bar?.start(size, 0, { lines: 0 });
		const started = performance.now();
		const report = await importRegistryFeed(db, {
			municipalityCode: city.municipality_code,
			fileName: path.basename(values.file),
			source: createReadStream(values.file),
			dryRun: values['dry-run'],
			actor: { type: 'system', id: 'registry-import-cli', role: 'system' },
			now: new Date(),
			onProgress: ({ lines, bytes }) => bar?.update(bytes, { lines })
		});
		bar?.stop();
		const seconds = (performance.now() - started) / 1000;
		const { counts } = report;
		console.log(
			`${report.dryRun ? 'Dry run (nothing written)' : 'Imported'} ${values.file}: ${report.fileLines} lines (the header and each line below, checked against the file) in ${seconds.toFixed(1)} s — ` +
				`new ${counts.insert}, updated ${counts.update}, returned ${counts.return}, moved out ${counts.move_out}, ` +
				`died ${counts.death}, unchanged ${counts.unchanged}, refused ${report.errorCount}; ` +
				`法定代理人 links +${report.guardianships.added} −${report.guardianships.removed} ~${report.guardianships.updated}. Run ${report.id}.`
		);
		for (const change of report.dryRun ? report.changes.slice(0, 50) : []) {
			console.log(
				`  line ${change.line}: ${change.kind} ${change.atena_number} (${change.fields.join(', ')})`
			);
		}
		for (const error of report.errors) {
			const field = error.field ? ` ${error.field}:` : '';
			console.log(
				`  line ${error.line}:${field} ${messageFor(`registry_error_${error.code}`, locale)}`
			);
		}
		if (report.errorCount > report.errors.length) {
			console.log(`  … and ${report.errorCount - report.errors.length} more refused lines`);
		}
	} finally {
		bar?.stop();
		await db.destroy();
		await database.stop();
	}
});
