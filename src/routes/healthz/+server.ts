// For load balancers and monitoring: is this node up, can it reach PostgreSQL, and (in the back
// office) are the signed audit checkpoints being written? Carries no personal data.
// A database out of reach answers 503 (take the node out); checkpoints that fail answer 200 with
// status "degraded": every node shares the checkpoint directory, so taking nodes out would stop
// the service without mending anything, but monitoring must see it (issue 24).
import { json } from '@sveltejs/kit';
import { sql } from 'kysely';
import { checkpointScheduleHealth } from '$lib/server/audit/checkpoint-schedule';
import { config } from '$lib/server/config';
import { db } from '$lib/server/db';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async () => {
	const { appRole, auditCheckpoint } = config();
	// A back office that should write checkpoints and has not started to within two intervals of
	// its own start is failing too (the job runner could not start).
	const schedule = checkpointScheduleHealth();
	const notStartedFor = process.uptime() > 2 * (auditCheckpoint?.intervalSeconds ?? 0);
	const auditCheckpoints =
		!auditCheckpoint || appRole === 'portal'
			? undefined
			: schedule === 'ok' || (schedule === 'off' && !notStartedFor)
				? 'ok'
				: 'failing';
	try {
		await sql`SELECT 1`.execute(db());
		return json({
			status: auditCheckpoints === 'failing' ? 'degraded' : 'ok',
			appRole,
			database: 'ok',
			...(auditCheckpoints ? { auditCheckpoints } : {})
		});
	} catch {
		return json(
			{
				status: 'degraded',
				appRole,
				database: 'unavailable',
				...(auditCheckpoints ? { auditCheckpoints } : {})
			},
			{ status: 503 }
		);
	}
};
