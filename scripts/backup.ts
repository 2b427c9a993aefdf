// npm run backup [-- --out FILE]
// A consistent, encrypted logical backup of the database (the embedded one when DATABASE_URL is
// unset): every table of public, mynumber and audit behind a manifest, sealed with ARCHIVE_KEY.
// A city's DBA may use the server's own pg_dump instead (README, Backups). Restore with
// npm run restore; a backup is only as good as its last restore test.
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseKeySpec } from '../src/lib/server/config';
import { writeBackup } from '../src/lib/server/retention/backup';
import { defaultDataDir, launchDatabase } from '../src/lib/server/db/launch';
import { runCommand, UsageError } from './lib/run';

await runCommand(async () => {
	const stamp = new Date().toISOString().replace(/[-:]/g, '').slice(0, 15);
	const { values } = parseArgs({
		options: {
			out: { type: 'string', default: path.join(defaultDataDir, 'backups', `backup-${stamp}.vbak`) }
		}
	});
	const database = await launchDatabase(process.env, { attach: true, migrate: false });
	try {
		if (!database.archiveKey)
			throw new UsageError('ARCHIVE_KEY is not set: backups are always encrypted');
		mkdirSync(path.dirname(values.out), { recursive: true, mode: 0o700 });
		const started = performance.now();
		const manifest = await writeBackup(
			database.ownerUrl,
			values.out,
			parseKeySpec(database.archiveKey)
		);
		const rows = manifest.tables.reduce((sum, table) => sum + table.rows, 0);
		console.log(
			`Backed up ${manifest.tables.length} tables, ${rows.toLocaleString()} rows (schema ${manifest.migrations.at(-1)}) to ${values.out} in ${((performance.now() - started) / 1000).toFixed(1)} s.`
		);
	} finally {
		await database.stop();
	}
});
