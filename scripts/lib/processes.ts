// The app in several processes on one port (APP_PROCESSES), one per core: a Node process runs its
// JavaScript on one core, and under load its event loop, not the database, sets the latency
// (docs/performance.md). Each worker is adapter-node's own server (build/index.js); node:cluster
// hands the connections out in turn.
//
// What the processes share lives in PostgreSQL: sessions, WebAuthn challenges, rate limits,
// idempotency keys, the job queue (pg-boss), mail delivery (FOR UPDATE SKIP LOCKED) and the draft
// expiry (a DELETE … RETURNING: a draft is expired once). What each holds for itself is a cache or
// a queue that is safe to split: the served municipality (60 s), the parsed font, the audit group
// append's queue (each process chains its own batches through the same lock).
import cluster from 'node:cluster';
import path from 'node:path';
import { UsageError } from './run';

/** APP_PROCESSES: 1 (the default) serves in this process; at most 64. */
export function processCount(value: string | undefined): number {
	if (value === undefined || value === '') return 1;
	const count = Number(value);
	if (!Number.isInteger(count) || count < 1 || count > 64)
		throw new UsageError(`APP_PROCESSES must be a whole number from 1 to 64, not "${value}"`);
	return count;
}

/**
 * Forks `count` workers running build/index.js with this process's environment. A worker that
 * dies is replaced (after a second, so a crash at start does not spin). `stop` ends them the way
 * adapter-node ends (SIGTERM: requests in flight finish) and resolves once all have exited. If
 * this process is killed outright, the workers lose their channel to it and exit too.
 */
export function serveInProcesses(
	count: number,
	onListening?: () => void
): { stop: () => Promise<void> } {
	cluster.setupPrimary({ exec: path.resolve('build/index.js') });
	let stopping = false;
	let listening = 0;
	const running = () =>
		Object.values(cluster.workers ?? {}).filter((worker) => worker !== undefined);
	const fork = () => {
		if (stopping) return;
		const worker = cluster.fork();
		worker.once('listening', () => {
			// Said on stderr with the errors: an operator sees a replaced process come back.
			console.error(
				JSON.stringify({ level: 'info', event: 'app_process_listening', pid: worker.process.pid })
			);
			listening++;
			if (listening === count) onListening?.();
		});
	};
	cluster.on('exit', (worker, code, signal) => {
		if (stopping) return;
		console.error(
			JSON.stringify({
				level: 'error',
				event: 'app_process_exit',
				pid: worker.process.pid,
				code,
				signal
			})
		);
		setTimeout(fork, 1_000);
	});
	for (let i = 0; i < count; i++) fork();
	return {
		stop: async () => {
			stopping = true;
			await Promise.all(
				running().map(
					(worker) =>
						new Promise<void>((resolve) => {
							if (worker.isDead()) return resolve();
							worker.once('exit', () => resolve());
							worker.process.kill('SIGTERM');
						})
				)
			);
		}
	};
}
