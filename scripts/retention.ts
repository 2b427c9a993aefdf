// npm run retention [-- --apply --archive-dir DIR --municipality CODE]
// The retention purge (RET-1/2/5). Without --apply it lists what is past each record class's
// retention and changes nothing. With --apply it writes the encrypted archive (ARCHIVE_KEY; the
// embedded demo keeps one in .data/secrets.json) into DIR, then deletes, auditing both. Run it
// from cron on the back-office host, e.g. nightly.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseKeySpec } from '../src/lib/server/config';
import { createDatabase, databaseRoleFor } from '../src/lib/server/db';
import { defaultDataDir, launchDatabase } from '../src/lib/server/db/launch';
import { findServedMunicipality } from '../src/lib/server/municipality';
import { planRetention, runRetention } from '../src/lib/server/retention/purge';
import { tokyoDate } from '../src/lib/server/time';
import { runCommand, UsageError } from './lib/run';

await runCommand(async () => {
	const { values } = parseArgs({
		options: {
			apply: { type: 'boolean', default: false },
			'archive-dir': { type: 'string', default: path.join(defaultDataDir, 'archive') },
			municipality: { type: 'string' }
		}
	});
	const database = await launchDatabase(process.env, { attach: true });
	const url = process.env.DATABASE_URL ?? database.env.DATABASE_URL;
	if (!url) throw new UsageError('DATABASE_URL is not set');
	const db = createDatabase(url, { role: databaseRoleFor('backoffice'), max: 2 });
	try {
		const city = await findServedMunicipality(
			db,
			values.municipality ?? process.env.MUNICIPALITY_CODE
		);
		if (!city) throw new UsageError('no municipality found: load one first or pass --municipality');
		const now = new Date();
		const today = tokyoDate(now);
		const plan = await planRetention(db, { municipalityCode: city.municipality_code, today, now });
		for (const entry of plan)
			console.log(`${entry.class.padEnd(20)} before ${entry.cutoff}: ${entry.rows}`);
		if (!values.apply) {
			console.log('Nothing deleted (dry run). Run with --apply to archive and purge.');
			return;
		}
		if (!database.archiveKey)
			throw new UsageError('ARCHIVE_KEY is not set: nothing is purged without an archive');
		mkdirSync(values['archive-dir'], { recursive: true, mode: 0o700 });
		const result = await runRetention(db, {
			municipalityCode: city.municipality_code,
			today,
			now,
			archiveDir: values['archive-dir'],
			archiveKey: parseKeySpec(database.archiveKey),
			actor: { type: 'system', id: 'retention', role: 'system' }
		});
		console.log(
			result.archiveFile
				? `Archived to ${result.archiveFile}, then purged: ${JSON.stringify(result.counts)}`
				: 'Nothing past its retention.'
		);
	} finally {
		await db.destroy();
		await database.stop();
	}
});
