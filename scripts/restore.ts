// npm run restore -- --file FILE --database NAME
// Restores a backup made by npm run backup into a new database NAME on the same server (never
// over an existing one), then checks every table's row count and the audit chain. To run the app
// on it, point DATABASE_URL and DATABASE_OWNER_URL at NAME.
import { parseArgs } from 'node:util';
import { parseKeySpec } from '../src/lib/server/config';
import { restoreBackup } from '../src/lib/server/retention/backup';
import { launchDatabase } from '../src/lib/server/db/launch';
import { runCommand, UsageError } from './lib/run';

await runCommand(async () => {
	const { values } = parseArgs({
		options: { file: { type: 'string' }, database: { type: 'string' } }
	});
	if (!values.file || !values.database)
		throw new UsageError('usage: npm run restore -- --file FILE --database NAME');
	const database = await launchDatabase(process.env, { attach: true, migrate: false });
	try {
		if (!database.archiveKey) throw new UsageError('ARCHIVE_KEY is not set');
		const report = await restoreBackup(database.ownerUrl, values.database, values.file, [
			parseKeySpec(database.archiveKey)
		]);
		console.log(
			`Restored ${report.tables} tables, ${report.rows.toLocaleString()} rows into ${report.database}; ` +
				`audit chain of ${report.auditEntries} entries ${report.auditIntact ? 'verifies' : 'is BROKEN'}.`
		);
		if (!report.auditIntact) process.exitCode = 2;
	} finally {
		await database.stop();
	}
});
