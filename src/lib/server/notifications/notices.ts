// Account notices for residents (a passkey added, revoked, stopped): the kind and the time only.
// The portal shows them from the projection (residents/projection.ts, issue 27).
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
