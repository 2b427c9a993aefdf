// The desk's 開示・訂正・利用停止請求 as a machine in the shape every case type shares
// (workflow/machine.ts): a request is open until it is decided (or withdrawn); while open its
// deadline may be extended once, a disclosure's package assembled and passages withheld; a
// decision closes it and issues its notice (and, for a disclosure with anything disclosed, the
// copy). The doors check the row's right; the domain refuses a row from a stage it is not in.
import type { Machine } from '../workflow/machine';

export const deskStages = ['open', 'decided', 'withdrawn'] as const;
export type DeskStage = (typeof deskStages)[number];

export type DeskAction =
	| 'extend'
	| 'assemble'
	| 'withhold'
	| 'decide_disclosure'
	| 'decide_correction'
	| 'decide_suspension';

/** What the machine reads of a request (its status is its stage). */
export type DeskSubject = { stage: string; kind: string };

type DeskMachine = Machine<
	DeskStage,
	DeskAction,
	DeskSubject,
	{ reason?: string },
	'reason_required'
>;

/** A decision closes the request and issues its notice (and what else it names). */
const decision = (
	documents: DeskMachine['actions'][DeskAction]['documents']
): DeskMachine['actions'][DeskAction] => ({
	from: ['open'],
	to: 'decided',
	permission: 'disclosure.handle',
	reason: false,
	audit: 'desk.decide',
	documents
});

export const deskMachine: DeskMachine = {
	closed: ['decided', 'withdrawn'],
	actions: {
		// 第83条第2項: once, within the first deadline, told to the requester in writing.
		extend: {
			from: ['open'],
			permission: 'disclosure.handle',
			reason: 'reason_required',
			audit: 'desk.extend',
			documents: ['notice']
		},
		assemble: {
			from: ['open'],
			permission: 'disclosure.handle',
			reason: false,
			audit: 'desk.assemble',
			documents: []
		},
		withhold: {
			from: ['open'],
			permission: 'disclosure.handle',
			reason: false,
			audit: 'desk.withhold',
			documents: []
		},
		// The copy only where something is disclosed (不開示 issues the notice alone).
		decide_disclosure: decision(['notice', 'disclosure']),
		decide_correction: decision(['notice']),
		decide_suspension: decision(['notice'])
	}
};
