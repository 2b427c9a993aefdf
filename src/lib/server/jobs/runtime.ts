// The back-office process's own job runner: started once by hooks.server.ts (never in the
// portal, which has no grant on the queue), used by staff actions to queue work.
import { checkpointSigner } from '../audit/checkpoint';
import { config } from '../config';
import { db } from '../db';
import { startJobs, type JobRunner } from './boss';

let runner: Promise<JobRunner> | undefined;

function start(): Promise<JobRunner> {
	const { databaseUrl, origin, auditCheckpoint } = config();
	return startJobs(databaseUrl, db(), {
		portalUrl: `${origin}/`,
		checkpoints: auditCheckpoint
			? {
					dir: auditCheckpoint.dir,
					signer: checkpointSigner(auditCheckpoint.key),
					intervalSeconds: auditCheckpoint.intervalSeconds
				}
			: undefined
	});
}

export function jobs(): Promise<JobRunner> {
	runner ??= start().catch((error: unknown) => {
		runner = undefined; // the next call tries again (e.g. the database was restarting)
		throw error;
	});
	return runner;
}

/** Stops the worker (its polling timers would keep a shutting-down process alive). */
export async function stopJobs(): Promise<void> {
	const started = runner;
	runner = undefined;
	const running = await started?.catch(() => undefined);
	await running?.stop();
}
