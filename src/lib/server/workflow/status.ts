// What the resident sees of a request, derived from the stage staff work it in, by one function
// (issue 26 item 4): the portal, the notices and the staff screens all read `residentStatus`.
// Every kind's application row goes through these stages; the relief officers' finer stages
// (committee, 進達 …) live on the relief case and keep the application 処理中 until it closes.
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

export const stages = [
	'draft',
	'new',
	'assigned',
	'awaiting_approval',
	'returned',
	'completed',
	'rejected',
	'withdrawn'
] as const;
export type Stage = (typeof stages)[number];

const statusOfStage: Record<Stage, Status> = {
	draft: 'draft',
	new: 'submitted',
	assigned: 'in_review',
	awaiting_approval: 'in_review',
	returned: 'returned',
	completed: 'completed',
	rejected: 'rejected',
	withdrawn: 'withdrawn'
};

/** The status the resident sees while the request is at `stage`. */
export function residentStatus(stage: Stage): Status {
	return statusOfStage[stage];
}
