// Notice e-mails: queued in email_outbox with the notice, sent by nodemailer over SMTP when
// SMTP_URL is set (in the demo they stay in the outbox, where an administrator can read them).
import nodemailer, { type Transporter } from 'nodemailer';
import { sql } from 'kysely';
import type { Database, Executor } from '../db';
import { sameCity } from '../db/same-city';

/** The one text every notice e-mail carries, Japanese first: no name, no case, no number. */
export function noticeEmail(city: { name_ja: string; name_en: string }, portalUrl: string) {
	return {
		subject: `【${city.name_ja}】予防接種ポータルのお知らせ / Notice from ${city.name_en}`,
		body: [
			`${city.name_ja}の予防接種ポータルに新しいお知らせがあります。`,
			`サインインしてご確認ください: ${portalUrl}`,
			'このメールには個人の情報を記載していません。心当たりがない場合は、このメールを破棄してください。',
			'',
			`There is a new notice for you in the ${city.name_en} vaccination portal.`,
			`Please sign in to read it: ${portalUrl}`,
			'This e-mail carries no personal information. If you did not expect it, please ignore it.'
		].join('\n')
	};
}

export async function queueNoticeEmail(
	db: Executor,
	input: { municipalityCode: string; accountId: string; portalUrl: string; now: Date }
): Promise<boolean> {
	const row = await db
		.selectFrom('resident_account')
		.innerJoin('resident', (join) =>
			sameCity(join, ['resident.atena_number', 'resident_account.atena_number'])
		)
		.innerJoin('municipality', 'municipality.municipality_code', 'resident.municipality_code')
		.select(['resident.email', 'municipality.name_ja', 'municipality.name_en'])
		.where('resident_account.id', '=', input.accountId)
		.executeTakeFirst();
	if (!row?.email) return false;
	const message = noticeEmail(row, input.portalUrl);
	await db
		.insertInto('email_outbox')
		.values({
			municipality_code: input.municipalityCode,
			to_address: row.email,
			subject: message.subject,
			body: message.body,
			created_at: input.now
		})
		.execute();
	return true;
}

/**
 * Sends what is pending, a batch at a time; several app nodes can run it at once (SKIP LOCKED).
 * A failed send is retried later, up to five times.
 */
export async function deliverPending(
	db: Database,
	transport: Transporter,
	from: string,
	batch = 20
): Promise<{ sent: number; failed: number }> {
	return db.transaction().execute(async (trx) => {
		const { rows } = await sql<{ id: string; to_address: string; subject: string; body: string }>`
			SELECT id, to_address, subject, body FROM email_outbox
			WHERE sent_at IS NULL AND attempts < 5
			ORDER BY created_at LIMIT ${batch} FOR UPDATE SKIP LOCKED`.execute(trx);
		let sent = 0;
		let failed = 0;
		for (const row of rows) {
			try {
				await transport.sendMail({
					from,
					to: row.to_address,
					subject: row.subject,
					text: row.body
				});
				await trx
					.updateTable('email_outbox')
					.set((eb) => ({ sent_at: new Date(), attempts: eb('attempts', '+', 1) }))
					.where('id', '=', row.id)
					.execute();
				sent++;
			} catch (error) {
				await trx
					.updateTable('email_outbox')
					.set((eb) => ({
						attempts: eb('attempts', '+', 1),
						last_error: (error as Error).message.slice(0, 200)
					}))
					.where('id', '=', row.id)
					.execute();
				failed++;
			}
		}
		return { sent, failed };
	});
}

export function smtpTransport(url: string): Transporter {
	return nodemailer.createTransport(url);
}
