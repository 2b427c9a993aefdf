// 健康被害救済 claim limits on the staff side (issue 7): the limits run from events the claim
// documents show — the oldest payment of medical costs in the claim (医療費), the first month of
// treatment (医療手当), a death (death benefits). The officer records them from the receipts and
// certificates; the case then shows each claimed benefit's last day and whether the claim came
// after it, and the reminders tell the officer when a bereaved family's limit is running out.
// Staff-only columns: the portal role gets no grant on them.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
	await sql`
ALTER TABLE relief_case
	ADD COLUMN costs_paid_from date,
	ADD COLUMN treatment_from date,
	ADD COLUMN died_on date,
	ADD CONSTRAINT relief_case_events_before_claim CHECK (
		(costs_paid_from IS NULL OR costs_paid_from <= received_on)
		AND (treatment_from IS NULL OR treatment_from <= received_on)
	);
`.execute(db);
}
