// The job that writes signed checkpoints of the audit chains (src/lib/server/audit/checkpoint.ts)
// every ten minutes, from the back office's job runner. A checkpoint that fails (the directory is
// unreachable, a chain does not verify) is not retried: the next one comes ten minutes later, and
// the failure is an error line for operators.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	const queue = {
		policy: 'singleton',
		retryLimit: 0,
		expireInSeconds: 600,
		retentionMinutes: 60 * 24 * 14
	};
	await sql`SELECT pgboss.create_queue('audit.checkpoint', ${JSON.stringify(queue)}::json)`.execute(
		db
	);
}
