// Background jobs on PostgreSQL with pg-boss. Its schema is installed by our migrations (0025),
// so the app connects with migrate: false and only the back office's DML grants. A job names the
// work ("render batch X", "apply upload Y"); the state of the work lives in our own tables, so a job delivered
// twice, retried after a crash, or sent again at start-up does nothing twice.
import PgBoss from 'pg-boss';
import { writeCheckpoints, type CheckpointSigner } from '../audit/checkpoint';
import type { Database } from '../db';
import { runMailingBatch } from '../mailings/render';
import { runRegistryApply } from '../residents/registry-jobs';

export const mailingQueue = 'mailing.render';
export const registryQueue = 'registry.import';
export const checkpointQueue = 'audit.checkpoint';
/** Every ten minutes: the most an undetected rewrite of the newest entries can span. */
export const checkpointSchedule = '*/10 * * * *';

export type JobRunner = {
	boss: PgBoss;
	enqueueMailing: (batchId: string) => Promise<void>;
	enqueueRegistryApply: (uploadId: string) => Promise<void>;
	stop: () => Promise<void>;
};

function log(event: string, detail: Record<string, unknown>) {
	console.error(JSON.stringify({ level: 'error', event, ...detail }));
}

async function scheduleCheckpoints(
	boss: PgBoss,
	db: Database,
	checkpoints: { dir: string; signer: CheckpointSigner }
) {
	await boss.work(checkpointQueue, { batchSize: 1, pollingIntervalSeconds: 10 }, async () => {
		// A chain that does not verify, or a directory out of reach: operators must look.
		const { refused } = await writeCheckpoints(db, { ...checkpoints, now: new Date() }).catch(
			(error: unknown) => {
				log('audit_checkpoint_failed', { error: (error as Error).message });
				throw error;
			}
		);
		for (const refusal of refused) log('audit_checkpoint_refused', refusal);
	});
	await boss.schedule(checkpointQueue, checkpointSchedule, {}, { tz: 'Asia/Tokyo' });
	// One at start too, once however many processes start together (null when deduplicated).
	await boss.send(checkpointQueue, {}, { singletonKey: 'start', singletonSeconds: 60 });
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
		/** Signed audit checkpoints on schedule, and one at start. */
		checkpoints?: { dir: string; signer: CheckpointSigner };
	} = {}
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
		if (options.checkpoints) await scheduleCheckpoints(boss, db, options.checkpoints);
	}
	return {
		boss,
		enqueueMailing,
		enqueueRegistryApply,
		stop: () => boss.stop({ graceful: true, wait: true, close: true, timeout: 10_000 })
	};
}
