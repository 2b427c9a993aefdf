// For load balancers and monitoring: is this node up, can it reach PostgreSQL, and (in the back
// office) are the signed audit checkpoints being written? Carries no personal data.
// A database out of reach answers 503 (take the node out); checkpoints that fail answer 200 with
// status "degraded": every node shares the checkpoint directory, so taking nodes out would stop
// the service without mending anything, but monitoring must see it (issue 24). The exchange
// (issue 27): the portal answers 503 without its own database; the back office says whether its
// pull from the portal works ('failing' degrades, like the checkpoints: the portal may be down).
import { json } from '@sveltejs/kit';
import { sql } from 'kysely';
import { checkpointScheduleHealth } from '$lib/server/audit/checkpoint-schedule';
import { config } from '$lib/server/config';
import { db, portalZoneDb } from '$lib/server/db';
import { exchangeHealth } from '$lib/server/exchange/client';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async () => {
	const { appRole, auditCheckpoint, portalZoneDatabaseUrl } = config();
	const exchange = appRole === 'portal' ? undefined : exchangeHealth().state;
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
		if (portalZoneDatabaseUrl) await sql`SELECT 1`.execute(portalZoneDb());
		return json({
			status: auditCheckpoints === 'failing' || exchange === 'failing' ? 'degraded' : 'ok',
			appRole,
			database: 'ok',
			...(auditCheckpoints ? { auditCheckpoints } : {}),
			...(exchange ? { exchange } : {})
		});
	} catch {
		return json(
			{
				status: 'degraded',
				appRole,
				database: 'unavailable',
				...(auditCheckpoints ? { auditCheckpoints } : {}),
				...(exchange ? { exchange } : {})
			},
			{ status: 503 }
		);
	}
};
