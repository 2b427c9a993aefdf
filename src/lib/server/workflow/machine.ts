// One shape for every case machine (STYLE.md; issue 26 item 4): the back office's requests
// (applications/case-machine.ts), relief claims (relief/cases.ts) and the desk's 開示・訂正・
// 利用停止請求 (desk/machine.ts) are each a table of these rows, and one function reads any of
// them. A row says, for one action: from which stages, to which stage, the right it needs, what
// it asks of the input (a reason; the rest in `needs`), whose earlier step it checks (maker ≠
// checker), the audit action it is logged as and the documents it issues. The domain carries
// the action out; the table decides whether it may happen.
import type { AuditAction } from '../audit/actions';
import type { DocumentKind } from '../documents/registry';

export type Transition<Stage extends string, Subject, Input, Refusal extends string> = {
	/** The stages it may be taken from; 'open': any stage but the machine's closed ones. */
	from: readonly Stage[] | 'open';
	/** The stage after it (a function where the input or the case decides); none: unchanged. */
	to?: Stage | ((subject: Subject, input: Input) => Stage);
	permission: string;
	/** The refusal when no reason is given, or false where none is asked for. */
	reason: Refusal | false;
	/** What else the action needs from the input, the case or the actor: a refusal, or null. */
	needs?: (
		input: Input,
		subject: Subject,
		by: { actorId: string; today: string }
	) => Refusal | null;
	/** Whose earlier step this action checks, and the refusal when that person takes it. */
	checks?: { field: keyof Subject & string; refusal: Refusal };
	audit: AuditAction;
	/** What it issues, in this order (checked where the documents are issued). */
	documents: readonly DocumentKind[];
};

export type Machine<
	Stage extends string,
	Action extends string,
	Subject,
	Input,
	Refusal extends string
> = {
	/** The stages after which nothing more is done ('open' rows are refused there). */
	closed: readonly Stage[];
	actions: Record<Action, Transition<Stage, Subject, Input, Refusal>>;
};

export type MachineRefusal = 'forbidden' | 'wrong_stage';

/** Whether a row may be taken from this stage (what a page offers before anything is typed). */
export function allowedFrom<Stage extends string>(
	machine: { closed: readonly Stage[] },
	rule: { from: readonly Stage[] | 'open' },
	stage: string
): boolean {
	return rule.from === 'open'
		? !machine.closed.includes(stage as Stage)
		: rule.from.includes(stage as Stage);
}

/**
 * The stage `action` leads to, or the first rule that refuses it, in a fixed order: the right,
 * the stage, the person (maker ≠ checker), the reason, then the row's own needs.
 */
export function nextStageOf<
	Stage extends string,
	Action extends string,
	Subject extends { stage: string },
	Input extends { reason?: string },
	Refusal extends string
>(
	machine: Machine<Stage, Action, Subject, Input, Refusal>,
	action: Action,
	subject: Subject,
	actor: { id: string; permissions: ReadonlySet<string> },
	input: Input,
	today: string
): { to: Stage } | { refused: Refusal | MachineRefusal } {
	const rule = machine.actions[action];
	if (!rule || !actor.permissions.has(rule.permission)) return { refused: 'forbidden' };
	if (!allowedFrom(machine, rule, subject.stage)) return { refused: 'wrong_stage' };
	if (rule.checks && subject[rule.checks.field] === actor.id) {
		return { refused: rule.checks.refusal };
	}
	if (rule.reason && !input.reason?.trim()) return { refused: rule.reason };
	const refused = rule.needs?.(input, subject, { actorId: actor.id, today });
	if (refused) return { refused };
	const to = rule.to;
	return { to: typeof to === 'function' ? to(subject, input) : (to ?? (subject.stage as Stage)) };
}
