// The one state machine shared by every request type as the resident sees it (DOMAIN.md §4).
// Staff-side sub-states (assigned, awaiting approval, committee …) live in each case type's own
// machine in the back office and map onto in_review here.
export const statuses = [
	'draft',
	'submitted',
	'in_review',
	'returned',
	'completed',
	'rejected',
	'withdrawn'
] as const;
export type Status = (typeof statuses)[number];

export type Transition =
	| { by: 'resident'; action: 'submit' | 'resubmit' | 'withdraw' }
	| { by: 'staff'; action: 'start_review' | 'return' | 'complete' | 'reject' };

const allowed: Record<Transition['action'], { from: Status[]; to: Status; reason: boolean }> = {
	submit: { from: ['draft'], to: 'submitted', reason: false },
	resubmit: { from: ['returned'], to: 'submitted', reason: false },
	withdraw: {
		from: ['draft', 'submitted', 'in_review', 'returned'],
		to: 'withdrawn',
		reason: false
	},
	start_review: { from: ['submitted'], to: 'in_review', reason: false },
	return: { from: ['submitted', 'in_review'], to: 'returned', reason: true },
	complete: { from: ['in_review'], to: 'completed', reason: false },
	reject: { from: ['submitted', 'in_review'], to: 'rejected', reason: true }
};

export class TransitionError extends Error {
	override name = 'TransitionError';
}

/** The status after `transition`, or a TransitionError saying why it cannot happen. */
export function nextStatus(current: Status, transition: Transition, reason?: string): Status {
	const rule = allowed[transition.action];
	if (!rule.from.includes(current)) {
		throw new TransitionError(`${transition.action} is not possible from ${current}`);
	}
	if (rule.reason && !reason?.trim())
		throw new TransitionError(`${transition.action} needs a reason`);
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
