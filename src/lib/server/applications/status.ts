// What the resident may do to their own request, by the status they see (DOMAIN.md §4): submit a
// draft, send a 差し戻し back, withdraw while it is open. Staff act through the kinds' machines
// (case-machine.ts, relief/cases.ts), whose stages the status is derived from (workflow/status.ts).
import type { Status } from '../workflow/status';

export { statuses, type Status } from '../workflow/status';

export type Transition = { by: 'resident'; action: 'submit' | 'resubmit' | 'withdraw' };

const allowed: Record<Transition['action'], { from: Status[]; to: Status }> = {
	submit: { from: ['draft'], to: 'submitted' },
	resubmit: { from: ['returned'], to: 'submitted' },
	withdraw: {
		from: ['draft', 'submitted', 'in_review', 'returned'],
		to: 'withdrawn'
	}
};

export class TransitionError extends Error {
	override name = 'TransitionError';
}

/** The status after `transition`, or a TransitionError saying why it cannot happen. */
export function nextStatus(current: Status, transition: Transition): Status {
	const rule = allowed[transition.action];
	if (!rule.from.includes(current)) {
		throw new TransitionError(`${transition.action} is not possible from ${current}`);
	}
	return rule.to;
}

/** Whether the resident may still sign `act` on an application in `current`. */
export function residentMay(current: Status, act: 'submit' | 'withdraw'): boolean {
	const actions = act === 'submit' ? (['submit', 'resubmit'] as const) : (['withdraw'] as const);
	return actions.some((action) => allowed[action].from.includes(current));
}

export function isOpen(status: Status): boolean {
	return ['draft', 'submitted', 'in_review', 'returned'].includes(status);
}
