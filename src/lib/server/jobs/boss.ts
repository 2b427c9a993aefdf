// Background jobs on PostgreSQL with pg-boss. Its schema is installed by our migrations (0025),
// so the app connects with migrate: false and only the back office's DML grants. A job names the
// work ("render batch X", "apply upload Y"); the state of the work lives in our own tables, so a job delivered
// twice, retried after a crash, or sent again at start-up does nothing twice.
import PgBoss from 'pg-boss';
import type { CheckpointSigner } from '../audit/checkpoint';
import { startExchange, type ExchangePeer } from '../exchange/client';
import { startCheckpointSchedule } from '../audit/checkpoint-schedule';
import type { Database } from '../db';
import { runMailingBatch } from '../mailings/render';
import { runRegistryApply } from '../residents/registry-jobs';

export const mailingQueue = 'mailing.render';
export const registryQueue = 'registry.import';
export type JobRunner = {
	boss: PgBoss;
	enqueueMailing: (batchId: string) => Promise<void>;
	enqueueRegistryApply: (uploadId: string) => Promise<void>;
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
	options: {
		work?: boolean;
		portalUrl?: string;
		onPart?: (batchId: string) => void;
		/** Signed audit checkpoints at start and then every intervalSeconds. */
		checkpoints?: { dir: string; signer: CheckpointSigner; intervalSeconds: number };
		/** The portal this back office takes items from (issue 27), pulled for as long as it runs. */
		exchange?: ExchangePeer;
	} = {}
): Promise<JobRunner> {
	const boss = new PgBoss({
		connectionString,
		schema: 'pgboss',
		migrate: false,
		max: 2,
		application_name: 'vaccination-jobs',
		// No pg-boss cron: it needs a queue of its own that our role may not create (issue 24).
		// Nothing here is scheduled by pg-boss; the checkpoints have their own timer.
		schedule: false
	});
	boss.on('error', (error) => log('jobs', { error: error.message }));
	await boss.start();
	// pg-boss answers null, not an error, for a queue that does not exist: that must not pass.
	const send = async (queue: string, data: object) => {
		if ((await boss.send(queue, data)) === null)
			throw new Error(`job queue ${queue} refused the job`);
	};
	const enqueueMailing = (batchId: string) => send(mailingQueue, { batchId });
	const enqueueRegistryApply = (uploadId: string) => send(registryQueue, { uploadId });
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
		await boss.work<{ uploadId: string }>(
			registryQueue,
			{ batchSize: 1, pollingIntervalSeconds: 2 },
			async ([job]) => {
				await runRegistryApply(db, job!.data.uploadId);
			}
		);
		const unfinished = await db
			.selectFrom('mailing_batch')
			.select('id')
			.where('status', '=', 'rendering')
			.execute();
		for (const { id } of unfinished) await enqueueMailing(id);
		const interrupted = await db
			.selectFrom('registry_upload')
			.select('id')
			.where('status', 'in', ['queued', 'applying'])
			.execute();
		for (const { id } of interrupted) await enqueueRegistryApply(id);
	}
	const stopCheckpoints =
		(options.work ?? true) && options.checkpoints
			? startCheckpointSchedule(db, options.checkpoints)
			: async () => {};
	const stopExchange =
		(options.work ?? true) && options.exchange
			? startExchange(db, options.exchange)
			: async () => {};
	return {
		boss,
		enqueueMailing,
		enqueueRegistryApply,
		stop: async () => {
			await stopExchange();
			await stopCheckpoints();
			await boss.stop({ graceful: true, wait: true, close: true, timeout: 10_000 });
		}
	};
}
