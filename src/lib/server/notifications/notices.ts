// Account notices for residents (a passkey added, revoked, stopped): the kind and the time only.
import type { Executor } from '../db';
import { queueNoticeEmail } from './email';

export type NoticeKind =
	| 'passkey_added'
	| 'passkey_revoked'
	| 'passkey_flagged'
	| 'application_received'
	| 'application_withdrawn'
	| 'application_updated'
	| 'application_returned'
	| 'draft_expired'
	| 'document_issued';

export async function notify(
	db: Executor,
	input: {
		municipalityCode: string;
		accountId: string;
		kind: NoticeKind;
		applicationId?: string;
		/** Where the e-mail tells the person to sign in; no e-mail without it. */
		portalUrl?: string;
		now: Date;
	}
): Promise<void> {
	await db
		.insertInto('resident_notice')
		.values({
			municipality_code: input.municipalityCode,
			resident_account_id: input.accountId,
			kind: input.kind,
			application_id: input.applicationId ?? null,
			created_at: input.now
		})
		.execute();
	if (input.portalUrl) {
		await queueNoticeEmail(db, {
			municipalityCode: input.municipalityCode,
			accountId: input.accountId,
			portalUrl: input.portalUrl,
			now: input.now
		});
	}
}

/** The latest notices, newest first; showing them marks them read. */
export async function takeNotices(db: Executor, accountId: string, now: Date, limit = 5) {
	const notices = await db
		.selectFrom('resident_notice')
		.leftJoin('application', 'application.id', 'resident_notice.application_id')
		.select([
			'resident_notice.id',
			'resident_notice.kind',
			'resident_notice.created_at',
			'resident_notice.read_at',
			'resident_notice.application_id',
			'application.reference'
		])
		.where('resident_notice.resident_account_id', '=', accountId)
		.orderBy('resident_notice.created_at', 'desc')
		.limit(limit)
		.execute();
	// Showing marks every unread notice read, so an unread one is always newer than any read one:
	// when none of the newest is unread, none is, and there is nothing to write.
	if (notices.some((notice) => notice.read_at === null)) {
		await db
			.updateTable('resident_notice')
			.set({ read_at: now })
			.where('resident_account_id', '=', accountId)
			.where('read_at', 'is', null)
			.execute();
	}
	return notices.map((notice) => ({
		id: notice.id,
		kind: notice.kind as NoticeKind,
		at: notice.created_at.toISOString(),
		unread: notice.read_at === null,
		applicationId: notice.application_id,
		reference: notice.reference
	}));
}
