// Background jobs on PostgreSQL with pg-boss. Its schema is installed by our migrations (0025),
// so the app connects with migrate: false and only the back office's DML grants. A job names the
// work ("render batch X"); the state of the work lives in our own tables, so a job delivered
// twice, retried after a crash, or sent again at start-up does nothing twice.
import PgBoss from 'pg-boss';
import type { Database } from '../db';
import { runMailingBatch } from '../mailings/render';

export const mailingQueue = 'mailing.render';

export type JobRunner = {
	boss: PgBoss;
	enqueueMailing: (batchId: string) => Promise<void>;
	stop: () => Promise<void>;
};

function log(event: string, detail: Record<string, unknown>) {
	console.error(JSON.stringify({ level: 'error', event, ...detail }));
}

/**
 * Starts pg-boss and, unless `work` is false, this process's worker: it renders mailing batches
 * one job at a time and, at start, sends a job for every batch a stopped process left unfinished.
 */
export async function startJobs(
	connectionString: string,
	db: Database,
	options: { work?: boolean; portalUrl?: string; onPart?: (batchId: string) => void } = {}
): Promise<JobRunner> {
	const boss = new PgBoss({
		connectionString,
		schema: 'pgboss',
		migrate: false,
		max: 2,
		application_name: 'vaccination-jobs'
	});
	boss.on('error', (error) => log('jobs', { error: error.message }));
	await boss.start();
	const enqueueMailing = async (batchId: string) => {
		await boss.send(mailingQueue, { batchId });
	};
	if (options.work ?? true) {
		await boss.work<{ batchId: string }>(
			mailingQueue,
			{ batchSize: 1, pollingIntervalSeconds: 2 },
			async ([job]) => {
				const batchId = job!.data.batchId;
				await runMailingBatch(db, batchId, {
					portalUrl: options.portalUrl,
					onPart: () => options.onPart?.(batchId)
				});
			}
		);
		const unfinished = await db
			.selectFrom('mailing_batch')
			.select('id')
			.where('status', '=', 'rendering')
			.execute();
		for (const { id } of unfinished) await enqueueMailing(id);
	}
	return {
		boss,
		enqueueMailing,
		stop: () => boss.stop({ graceful: true, wait: true, close: true, timeout: 10_000 })
	};
}
