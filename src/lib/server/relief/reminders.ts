// What relief officers must not miss: cases stalled in one stage longer than the city allows,
// appeal windows about to close (the claimant may still appeal; the case cannot be closed as
// final before), payments falling due, claims that arrived after a benefit's limit (to be
// checked before the case goes to committee), and a bereaved family's claim limit running out
// after the death of a person the city was paying (the family has to be told they can claim).
import { appealDeadline, type ClaimLimit } from './deadlines';
import { addDays } from '../time';
import { tokyoDate } from '../time';

export type ReminderCase = {
	id: string;
	name: string;
	stage: string;
	stageSince: Date;
	decidedOn: string | null;
	appealFiledOn: string | null;
	claimLimits?: ClaimLimit[];
	/** The last day for the bereaved to claim, when a death is recorded and nobody claimed yet. */
	bereavedClaimUntil?: string | null;
};
export type ReminderPayment = { caseId: string; dueOn: string; label: string };
export type Reminder = {
	caseId: string;
	kind: 'stalled' | 'appeal_window' | 'payment_due' | 'claim_late' | 'bereaved_claim';
	on: string;
	name: string;
	benefit?: string;
};

// Before the decision the officer can still ask about a late claim; after it, it is decided.
const undecided = ['received', 'document_check', 'awaiting_documents', 'committee'];

export function reliefReminders(
	cases: ReminderCase[],
	payments: ReminderPayment[],
	input: {
		today: string;
		now: Date;
		stallDays: number;
		horizonDays?: number;
		bereavedHorizonDays?: number;
	}
): Reminder[] {
	const horizon = addDays(input.today, input.horizonDays ?? 14);
	const bereavedHorizon = addDays(input.today, input.bereavedHorizonDays ?? 180);
	const stallBefore = input.now.getTime() - input.stallDays * 86_400_000;
	const reminders: Reminder[] = [];
	for (const row of cases) {
		const until = row.bereavedClaimUntil;
		if (until && until >= input.today && until <= bereavedHorizon) {
			reminders.push({ caseId: row.id, kind: 'bereaved_claim', on: until, name: row.name });
		}
		if (row.stage === 'closed') continue;
		if (undecided.includes(row.stage)) {
			for (const limit of row.claimLimits ?? []) {
				if (!limit.late) continue;
				reminders.push({
					caseId: row.id,
					kind: 'claim_late',
					on: limit.deadline!,
					name: row.name,
					benefit: limit.benefit
				});
			}
		}
		if (row.stageSince.getTime() < stallBefore) {
			reminders.push({
				caseId: row.id,
				kind: 'stalled',
				on: tokyoDate(row.stageSince),
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
