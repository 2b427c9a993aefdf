// Where notice e-mails wait (and, without a mail server in the demo, stay): for the administrator
// to check delivery. Recipients are personal data, so every view is audited.
import { auditAs, requirePermission, type Caller } from '../audit/caller';
import type { Executor } from '../db';

export async function outbox(db: Executor, caller: Caller) {
	requirePermission(caller, 'settings.manage');
	const rows = await db
		.selectFrom('email_outbox')
		.select([
			'id',
			'to_address',
			'subject',
			'body',
			'created_at',
			'sent_at',
			'attempts',
			'last_error'
		])
		.where('municipality_code', '=', caller.municipalityCode)
		.orderBy('id', 'desc')
		.limit(50)
		.execute();
	await auditAs(db, caller, {
		action: 'notification.outbox_view',
		result: 'ok',
		payload: { rows: rows.length }
	});
	return rows.map((row) => ({
		id: row.id,
		to: row.to_address,
		subject: row.subject,
		body: row.body,
		createdAt: row.created_at.toISOString(),
		sentAt: row.sent_at?.toISOString() ?? null,
		attempts: row.attempts,
		lastError: row.last_error
	}));
}
