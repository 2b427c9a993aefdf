// npm run db:migrate — apply pending migrations (to the embedded database when DATABASE_URL is unset).
import { launchDatabase } from '../src/lib/server/db/launch';
import { runCommand } from './lib/run';

await runCommand(async () => {
	const database = await launchDatabase(process.env, { migrate: false });
	try {
		const { migrateToLatest } = await import('../src/lib/server/db/migrate');
		const results = await migrateToLatest(database.ownerUrl);
		console.log(
			results.length
				? results.map((result) => `${result.status}: ${result.migrationName}`).join('\n')
				: 'The database is up to date.'
		);
	} finally {
		await database.stop();
	}
});
