// What relief officers must not miss: cases stalled in one stage longer than the city allows,
// appeal windows about to close (the claimant may still appeal; the case cannot be closed as
// final before), and payments falling due.
import { addDays, appealDeadline } from './deadlines';

export type ReminderCase = {
	id: string;
	name: string;
	stage: string;
	stageSince: Date;
	decidedOn: string | null;
	appealFiledOn: string | null;
};
export type ReminderPayment = { caseId: string; dueOn: string; label: string };
export type Reminder = {
	caseId: string;
	kind: 'stalled' | 'appeal_window' | 'payment_due';
	on: string;
	name: string;
};

export function reliefReminders(
	cases: ReminderCase[],
	payments: ReminderPayment[],
	input: { today: string; now: Date; stallDays: number; horizonDays?: number }
): Reminder[] {
	const horizon = addDays(input.today, input.horizonDays ?? 14);
	const stallBefore = input.now.getTime() - input.stallDays * 86_400_000;
	const reminders: Reminder[] = [];
	for (const row of cases) {
		if (row.stage === 'closed') continue;
		if (row.stageSince.getTime() < stallBefore) {
			reminders.push({
				caseId: row.id,
				kind: 'stalled',
				on: row.stageSince.toISOString().slice(0, 10),
				name: row.name
			});
		}
		if (
			row.decidedOn &&
			!row.appealFiledOn &&
			['decided_pay', 'decided_not_pay', 'paying'].includes(row.stage)
		) {
			const until = appealDeadline(row.decidedOn);
			if (until >= input.today && until <= horizon) {
				reminders.push({ caseId: row.id, kind: 'appeal_window', on: until, name: row.name });
			}
		}
	}
	for (const payment of payments) {
		if (payment.dueOn <= horizon) {
			reminders.push({
				caseId: payment.caseId,
				kind: 'payment_due',
				on: payment.dueOn,
				name: payment.label
			});
		}
	}
	return reminders.sort((a, b) => a.on.localeCompare(b.on));
}
