// Fixed-window counters in PostgreSQL, so a limit holds however many app nodes serve the city;
// each zone keeps its own (the portal's for residents' ceremonies, the back office's for staff).
import { sql } from 'kysely';
import { eitherZone, type EitherZoneExecutor } from '../db/either-zone';
import { AuthFailure } from './failures';

export type Limit = { bucket: string; max: number; windowSeconds: number };

/** The limits of the sign-in surface (ASVS 6.1.1, 6.3.1; SP 800-63B-4 §3.2.2). */
export const limits = {
	/**
	 * Failed code and link checks per address (each code also locks itself after 5 wrong birth
	 * dates). Successes do not count: a city office enrolling residents at the desk all day shares
	 * one address. A resident's claim is checked by the back office (issue 27): the portal counts
	 * its failure when it first shows it, and shows no more once the address is over the limit.
	 */
	codeFailuresPerIp: (ip: string): Limit => ({
		bucket: `code-failures:ip:${ip}`,
		max: 30,
		windowSeconds: 900
	}),
	// Per-address ceremony limits only stop floods: mobile carriers put many phones behind one
	// address (CGNAT), and so does a city office. The per-code, per-account and per-credential
	// limits are what stop guessing.
	/** Challenges cost storage: options per address. */
	optionsPerIp: (ip: string): Limit => ({
		bucket: `options:ip:${ip}`,
		max: 1200,
		windowSeconds: 60
	}),
	/** Assertions and attestations per address. */
	ceremonyPerIp: (ip: string): Limit => ({
		bucket: `ceremony:ip:${ip}`,
		max: 1200,
		windowSeconds: 60
	}),
	/**
	 * Look-ups on the public verify pages per address: each is reported and audited inside, so a
	 * flood from one address would fill the exchange. A school office checking certificates one
	 * by one stays far below; the printed code (60 bits) is not guessable at any rate.
	 */
	verifyPerIp: (ip: string): Limit => ({
		bucket: `verify:ip:${ip}`,
		max: 120,
		windowSeconds: 60
	}),
	/** Failed ceremonies per account (a stolen authenticator without its PIN, a cloned key). */
	failuresPerAccount: (accountId: string): Limit => ({
		bucket: `failures:account:${accountId}`,
		max: 10,
		windowSeconds: 900
	})
};

function windowStart(now: Date, windowSeconds: number): Date {
	const size = windowSeconds * 1000;
	return new Date(Math.floor(now.getTime() / size) * size);
}

/** Counts one hit; throws AuthFailure('rate_limited') once the window is full. */
export async function hit(db: EitherZoneExecutor, limit: Limit, now = new Date()): Promise<void> {
	const hits = await count(db, limit, now);
	if (hits > limit.max) throw new AuthFailure('rate_limited', limit.bucket.split(':')[0]);
}

/** Counts one hit and returns the window's total so far. */
export async function count(
	zone: EitherZoneExecutor,
	limit: Limit,
	now = new Date()
): Promise<number> {
	const db = eitherZone(zone);
	const start = windowStart(now, limit.windowSeconds);
	const row = await db
		.insertInto('rate_limit')
		.values({ bucket: limit.bucket, window_start: start, hits: 1 })
		.onConflict((conflict) =>
			conflict.columns(['bucket', 'window_start']).doUpdateSet({ hits: sql`rate_limit.hits + 1` })
		)
		.returning('hits')
		.executeTakeFirstOrThrow();
	// Old windows are dead weight; the hit that opens a window clears those of its bucket.
	if (row.hits === 1) {
		await db
			.deleteFrom('rate_limit')
			.where('bucket', '=', limit.bucket)
			.where('window_start', '<', start)
			.execute();
	}
	return row.hits;
}

/** The hits in the current window so far, without counting one. */
export async function hitsSoFar(
	zone: EitherZoneExecutor,
	limit: Limit,
	now = new Date()
): Promise<number> {
	const row = await eitherZone(zone)
		.selectFrom('rate_limit')
		.select('hits')
		.where('bucket', '=', limit.bucket)
		.where('window_start', '=', windowStart(now, limit.windowSeconds))
		.executeTakeFirst();
	return row?.hits ?? 0;
}

/** Whether the window is already full, without counting a hit. */
export async function isLimited(
	db: EitherZoneExecutor,
	limit: Limit,
	now = new Date()
): Promise<boolean> {
	return (await hitsSoFar(db, limit, now)) >= limit.max;
}

export async function clear(db: EitherZoneExecutor, limit: Limit): Promise<void> {
	await eitherZone(db).deleteFrom('rate_limit').where('bucket', '=', limit.bucket).execute();
}
