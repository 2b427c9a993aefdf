// What the back office publishes of the 開示・訂正・利用停止請求 for the portal to show (issue 27,
// docs/zones.md), in each account's view: the requests the account signed online with their
// clocks, and the decided disclosures about its person that a correction or suspension can still
// follow (the portal decides "still" with its own clock; the desk checks again on intake).
import type { Executor } from '../db';
import { addDays, tokyoDate } from '../time';
import type { ProjectedDeskRequest, ProjectedDisclosure } from '../zone/shapes';
import { correctionWindowEnd } from './clock';

/** How many of an account's newest requests its page lists. */
const requestsListed = 50;

export async function deskViews(
	db: Executor,
	accountIds: readonly string[],
	now: Date
): Promise<
	Map<string, { deskRequests: ProjectedDeskRequest[]; disclosures: ProjectedDisclosure[] }>
> {
	const views = new Map(
		accountIds.map((id) => [
			id,
			{ deskRequests: [] as ProjectedDeskRequest[], disclosures: [] as ProjectedDisclosure[] }
		])
	);
	if (accountIds.length === 0) return views;
	const today = tokyoDate(now);
	// A disclosure decided earlier than this can no longer be followed (90 days from the next day).
	const oldestFollowable = addDays(today, -91);
	const [requests, disclosures] = await Promise.all([
		db
			.selectFrom('desk_request as d')
			.innerJoin('signed_act as s', 's.id', 'd.signed_act_id')
			.select([
				's.resident_account_id',
				'd.id',
				'd.reference',
				'd.kind',
				'd.received_on',
				'd.deadline',
				'd.extended_deadline',
				'd.status',
				'd.decision',
				'd.decided_on',
				'd.delivery',
				'd.request_key'
			])
			.where('s.resident_account_id', 'in', accountIds)
			.orderBy('d.created_at', 'desc')
			.orderBy('d.id')
			.execute(),
		db
			.selectFrom('desk_request as d')
			.innerJoin('resident_account as account', (join) =>
				join
					.onRef('account.municipality_code', '=', 'd.municipality_code')
					.onRef('account.atena_number', '=', 'd.subject_atena_number')
			)
			.select(['account.id as account_id', 'd.id', 'd.reference', 'd.decided_on'])
			.where('account.id', 'in', accountIds)
			.where('d.kind', '=', 'disclosure')
			.where('d.status', '=', 'decided')
			.where('d.decision', '<>', 'none')
			.where('d.decided_on', '>=', oldestFollowable)
			.orderBy('d.decided_on', 'desc')
			.execute()
	]);
	for (const row of requests) {
		const view = views.get(row.resident_account_id);
		if (!view || view.deskRequests.length >= requestsListed) continue;
		view.deskRequests.push({
			id: row.id,
			reference: row.reference,
			kind: row.kind,
			receivedOn: row.received_on,
			due: row.extended_deadline ?? row.deadline,
			status: row.status,
			decision: row.decision,
			decidedOn: row.decided_on,
			delivery: row.delivery,
			requestKey: row.request_key
		});
	}
	for (const row of disclosures)
		if (correctionWindowEnd(row.decided_on!) >= today)
			views.get(row.account_id)?.disclosures.push({
				id: row.id,
				reference: row.reference,
				decidedOn: row.decided_on!
			});
	return views;
}
