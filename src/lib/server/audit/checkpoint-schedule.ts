// The back office's signed-checkpoint schedule (ASVS 16.4.3). Every back-office process tries once
// at start and then every AUDIT_CHECKPOINT_INTERVAL_SECONDS; the first to take the lock writes,
// the others find a checkpoint younger than half an interval and skip it. A timer of the process,
// not pg-boss's cron: that cron needed an internal queue the back office's role may not create,
// and for as long as it failed it fired into nothing, silently (issue 24). Failures here are
// loud: an error line each time, /healthz says degraded, the auditor's screen warns.
import type { Executor } from '../db';
import { writeCheckpoints, type CheckpointSigner } from './checkpoint';

export type CheckpointScheduleHealth = 'off' | 'ok' | 'failing';

type State = {
	intervalSeconds: number;
	startedAt: Date;
	lastOkAt: Date | null;
	lastFailureAt: Date | null;
};

let state: State | undefined;

function log(event: string, detail: Record<string, unknown>) {
	console.error(JSON.stringify({ level: 'error', event, ...detail }));
}

/** Starts the schedule; the returned function stops it (and waits for a run in progress). */
export function startCheckpointSchedule(
	db: Executor,
	options: { dir: string; signer: CheckpointSigner; intervalSeconds: number }
): () => Promise<void> {
	const own: State = {
		intervalSeconds: options.intervalSeconds,
		startedAt: new Date(),
		lastOkAt: null,
		lastFailureAt: null
	};
	state = own;
	let running: Promise<void> | null = null;
	const run = async () => {
		const now = new Date();
		try {
			const { refused } = await writeCheckpoints(db, {
				dir: options.dir,
				signer: options.signer,
				now,
				skipIfNewerThan: new Date(now.getTime() - (options.intervalSeconds * 1000) / 2)
			});
			// A chain that does not verify gets no checkpoint: operators must look.
			for (const refusal of refused) log('audit_checkpoint_refused', refusal);
			if (refused.length > 0) own.lastFailureAt = now;
			else own.lastOkAt = now;
		} catch (error) {
			own.lastFailureAt = now;
			log('audit_checkpoint_failed', { error: (error as Error).message });
		}
	};
	const tick = () => {
		if (running) return; // the previous run is still going: this slot is its
		running = run().finally(() => (running = null));
	};
	tick();
	const timer = setInterval(tick, options.intervalSeconds * 1000);
	return async () => {
		clearInterval(timer);
		await running;
		if (state === own) state = undefined;
	};
}

/**
 * 'failing' when the last run failed, or when no run has succeeded for twice the interval (the
 * schedule stopped, or every run hangs); 'off' where this process writes no checkpoints.
 */
export function checkpointScheduleHealth(now = new Date()): CheckpointScheduleHealth {
	if (!state) return 'off';
	const lastOk = state.lastOkAt ?? state.startedAt;
	if (state.lastFailureAt && (!state.lastOkAt || state.lastFailureAt > state.lastOkAt))
		return 'failing';
	return now.getTime() - lastOk.getTime() > 2 * state.intervalSeconds * 1000 ? 'failing' : 'ok';
}
