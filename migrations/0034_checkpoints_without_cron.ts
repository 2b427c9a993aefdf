// The signed audit checkpoints leave pg-boss (issue 24, item 2): its cron needed an internal queue
// that the back office's role may not create, so the ten-minute schedule fired into nothing and
// only the checkpoint written at start existed. A timer in each back-office process writes them
// now (src/lib/server/audit/checkpoint-schedule.ts); the queue and its schedule row go.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`DELETE FROM pgboss.schedule WHERE name = 'audit.checkpoint'`.execute(db);
	await sql`DELETE FROM pgboss.job WHERE name = 'audit.checkpoint'`.execute(db);
	await sql`DELETE FROM pgboss.archive WHERE name = 'audit.checkpoint'`.execute(db);
	await sql`SELECT pgboss.delete_queue('audit.checkpoint')`.execute(db);
}
