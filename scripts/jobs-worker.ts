// npm run jobs [-- --batch ID]
// The background worker on its own (the back-office app runs the same worker in-process): renders
// mailing batches from the job queue, and at start resumes any batch a stopped or killed process
// left unfinished. With --batch it renders that batch in the foreground with a progress bar and
// exits when it is done. Stop with Ctrl+C (the part being rendered is rolled back and redone).
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { createDatabase, databaseRoleFor } from '../src/lib/server/db';
import { launchDatabase } from '../src/lib/server/db/launch';
import { startJobs } from '../src/lib/server/jobs/boss';
import { mailingProgress } from '../src/lib/server/mailings/batches';
import { runMailingBatch } from '../src/lib/server/mailings/render';
import { runCommand, UsageError } from './lib/run';

await runCommand(async () => {
	const { values } = parseArgs({ options: { batch: { type: 'string' } } });
	if (values.batch && !/^[0-9a-f-]{36}$/.test(values.batch))
		throw new UsageError('--batch must be a batch id');
	const database = await launchDatabase(process.env, { attach: true, migrate: false });
	const url = process.env.DATABASE_URL ?? database.env.DATABASE_URL;
	if (!url) throw new UsageError('DATABASE_URL is not set');
	const db = createDatabase(url, { role: databaseRoleFor('backoffice'), max: 4 });
	const portalUrl = `${process.env.ORIGIN ?? `http://localhost:${process.env.PORT ?? 3000}`}/`;

	if (values.batch) {
		const batchId = values.batch;
		const first = await db
			.selectFrom('mailing_batch')
			.select('municipality_code')
			.where('id', '=', batchId)
			.executeTakeFirst();
		if (!first) throw new UsageError(`no batch ${batchId}`);
		const progress = () => mailingProgress(db, first.municipality_code, batchId, new Date());
		const start = (await progress())!;
		const bar = new cliProgress.SingleBar(
			{
				format: '{bar} {value}/{total} people | ETA {eta_formatted}',
				etaBuffer: 20,
				noTTYOutput: true
			},
			cliProgress.Presets.shades_classic
		);
		bar.start(start.recipients, start.recipientsDone);
		const outcome = await runMailingBatch(db, batchId, {
			portalUrl,
			onPart: async () => bar.update((await progress())!.recipientsDone)
		});
		bar.update((await progress())!.recipientsDone);
		bar.stop();
		console.log(`batch ${batchId}: ${outcome}`);
		await db.destroy();
		await database.stop();
		return;
	}

	const jobs = await startJobs(url, db, {
		portalUrl,
		onPart: (batchId) => console.log(JSON.stringify({ event: 'mailing_part', batchId }))
	});
	console.log(JSON.stringify({ event: 'worker_started' }));
	const stop = async () => {
		await jobs.stop();
		await db.destroy();
		await database.stop();
		process.exit(0);
	};
	process.once('SIGINT', stop);
	process.once('SIGTERM', stop);
});
