// Account notices for residents (a passkey added, revoked, stopped): the kind and the time only.
import type { Executor } from '../db';

export type NoticeKind = 'passkey_added' | 'passkey_revoked' | 'passkey_flagged';

export async function notify(
	db: Executor,
	input: { municipalityCode: string; accountId: string; kind: NoticeKind; now: Date }
): Promise<void> {
	await db
		.insertInto('resident_notice')
		.values({
			municipality_code: input.municipalityCode,
			resident_account_id: input.accountId,
			kind: input.kind,
			created_at: input.now
		})
		.execute();
}

/** The latest notices, newest first; showing them marks them read. */
export async function takeNotices(db: Executor, accountId: string, now: Date, limit = 5) {
	const notices = await db
		.selectFrom('resident_notice')
		.select(['id', 'kind', 'created_at', 'read_at'])
		.where('resident_account_id', '=', accountId)
		.orderBy('created_at', 'desc')
		.limit(limit)
		.execute();
	await db
		.updateTable('resident_notice')
		.set({ read_at: now })
		.where('resident_account_id', '=', accountId)
		.where('read_at', 'is', null)
		.execute();
	return notices.map((notice) => ({
		id: notice.id,
		kind: notice.kind as NoticeKind,
		at: notice.created_at.toISOString(),
		unread: notice.read_at === null
	}));
}
