// For load balancers: is this node up, and can it reach PostgreSQL? Carries no personal data.
import { json } from '@sveltejs/kit';
import { sql } from 'kysely';
import { config } from '$lib/server/config';
import { db } from '$lib/server/db';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async () => {
	try {
		await sql`SELECT 1`.execute(db());
		return json({ status: 'ok', appRole: config().appRole, database: 'ok' });
	} catch {
		return json(
			{ status: 'degraded', appRole: config().appRole, database: 'unavailable' },
			{ status: 503 }
		);
	}
};
