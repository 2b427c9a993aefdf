import { recordAudit } from '$lib/server/audit/record';
import { staffActor } from '$lib/server/auth/http';
import { config } from '$lib/server/config';
import { db } from '$lib/server/db';
import { requirePermission } from '$lib/server/staff/permissions';
import type { PageServerLoad } from './$types';

// Where notice e-mails wait (and, without a mail server in the demo, stay): for the administrator
// to check delivery. Recipients are personal data, so every view is audited.
export const load: PageServerLoad = async ({ locals }) => {
	const admin = requirePermission(locals, 'settings.manage');
	const rows = await db()
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
		.where('municipality_code', '=', admin.municipalityCode)
		.orderBy('id', 'desc')
		.limit(50)
		.execute();
	await recordAudit(db(), {
		municipalityCode: admin.municipalityCode,
		actor: staffActor(locals),
		context: locals.audit,
		action: 'notification.outbox_view',
		result: 'ok',
		payload: { rows: rows.length }
	});
	return {
		smtp: Boolean(config().smtpUrl),
		messages: rows.map((row) => ({
			id: row.id,
			to: row.to_address,
			subject: row.subject,
			body: row.body,
			createdAt: row.created_at.toISOString(),
			sentAt: row.sent_at?.toISOString() ?? null,
			attempts: row.attempts,
			lastError: row.last_error
		}))
	};
};
