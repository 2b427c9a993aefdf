// How the exchange stands, for the staff (issue 27): the staff home page warns when the back
// office cannot take the portal's items in, or takes them in late; the auditor sees every item
// that was refused (a sign of a compromised portal) with the reason.
import { sql } from 'kysely';
import { requirePermission, type Caller } from '../audit/caller';
import { AccessRefused } from '../errors';
import { config } from '../config';
import type { Executor } from '../db';
import { exchangeHealth } from './client';
import { refusalCodes, type RefusalCode } from './intake';

function refusalOf(stored: string): { why: RefusalCode | null; detail: string } {
	const colon = stored.indexOf(': ');
	const code = colon === -1 ? stored : stored.slice(0, colon);
	return (refusalCodes as readonly string[]).includes(code)
		? { why: code as RefusalCode, detail: colon === -1 ? '' : stored.slice(colon + 2) }
		: { why: null, detail: stored };
}

/** How far back the home page looks for items taken in late. */
const recentMinutes = 15;

export type ExchangeWarning =
	| { kind: 'stopped'; lastOkAt: string | null }
	| { kind: 'late'; seconds: number }
	| { kind: 'unpublished'; seconds: number }
	| { kind: 'set_aside'; count: number };

/**
 * A warning for the staff home page, or null: the pull has been failing for longer than the
 * setting, a change inside has waited longer than the setting to be published to the portal
 * (residents see an out-of-date record there), changes were set aside because the portal would
 * not take them, or an item taken in within the last 15 minutes waited longer than the setting.
 * @audit none — figures about the exchange; no person or item is shown
 */
export async function exchangeWarning(
	db: Executor,
	caller: Caller,
	input: { now?: Date; pulling?: boolean; lagWarnSeconds?: number } = {}
): Promise<ExchangeWarning | null> {
	if (caller.type !== 'staff') throw new AccessRefused('sign_in_required');
	const now = input.now ?? new Date();
	const pulling = input.pulling ?? Boolean(config().exchange.key && config().exchange.portalUrl);
	const exchangeLagWarnSeconds = input.lagWarnSeconds ?? config().exchangeLagWarnSeconds;
	if (!pulling) return null;
	const health = exchangeHealth();
	const lastOk = health.lastOkAt ?? health.startedAt;
	if (
		health.state === 'failing' &&
		lastOk &&
		now.getTime() - lastOk.getTime() > exchangeLagWarnSeconds * 1000
	) {
		return { kind: 'stopped', lastOkAt: health.lastOkAt?.toISOString() ?? null };
	}
	const unpublished = await sql<{ seconds: number | null }>`
		SELECT extract(epoch FROM ${now}::timestamptz - min(marked_at))::float8 AS seconds
		FROM projection_pending`.execute(db);
	const waiting = unpublished.rows[0]?.seconds ?? null;
	if (waiting !== null && waiting > exchangeLagWarnSeconds)
		return { kind: 'unpublished', seconds: Math.round(waiting) };
	// Changes the portal would not take (publish.ts): the residents concerned see "on its way".
	const aside = await db
		.selectFrom('projection_set_aside')
		.select((eb) => eb.fn.countAll<string>().as('count'))
		.executeTakeFirst();
	if (Number(aside?.count ?? 0) > 0) return { kind: 'set_aside', count: Number(aside!.count) };
	const { rows } = await sql<{ seconds: number | null }>`
		SELECT extract(epoch FROM max(taken_at - arrived_at))::float8 AS seconds FROM exchange_intake
		WHERE taken_at > ${now}::timestamptz - make_interval(mins => ${recentMinutes})`.execute(db);
	const seconds = rows[0]?.seconds ?? null;
	return seconds !== null && seconds > exchangeLagWarnSeconds
		? { kind: 'late', seconds: Math.round(seconds) }
		: null;
}

/**
 * The items the back office refused (newest first, 90 days): the portal's sequence, the kind, when
 * it arrived and was taken in, and why it was refused. For the auditor's screen, beside the
 * chain's state.
 * @audit none — security events about the exchange; no person or account is shown (each refusal
 * is itself in the audit log as exchange.refuse)
 */
export async function exchangeRefusals(db: Executor, caller: Caller, now = new Date()) {
	requirePermission(caller, 'audit.read');
	const rows = await db
		.selectFrom('exchange_intake')
		.select(['portal', 'seq', 'kind', 'arrived_at', 'taken_at', 'refusal'])
		.where('outcome', '=', 'refused')
		.where('taken_at', '>', new Date(now.getTime() - 90 * 86_400_000))
		.orderBy('taken_at', 'desc')
		.orderBy('seq', 'desc')
		.limit(200)
		.execute();
	return rows.map((row) => ({
		portal: row.portal,
		seq: String(row.seq),
		kind: row.kind,
		arrivedAt: row.arrived_at.toISOString(),
		takenAt: row.taken_at.toISOString(),
		...refusalOf(row.refusal ?? '')
	}));
}
