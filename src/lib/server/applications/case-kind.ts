// What the back office knows of one kind of request, kept in the kind's own folder
// (applications/reissue/, certificate/, outside-request/): the questions the resident answers
// (its wizard, with the schema of each step), the machine staff work it with, and the documents
// its approval issues. Relief claims have a folder too (applications/relief/) with their wizard;
// the relief officers' machine is relief/cases.ts, in the same shape.
import type { Executor } from '../db';
import type { DecisionFacts } from '../documents/issue';
import type { DocumentKind } from '../documents/registry';
import type { CaseMachine } from './case-machine';
import type { Wizard } from './wizard';

export type GeneralCaseKind = {
	kind: 'reissue' | 'certificate' | 'outside_request';
	wizard: Wizard;
	machine: CaseMachine;
	/** Renders and registers what the machine's approve row says it issues. */
	issueApproval: (
		db: Executor,
		facts: DecisionFacts
	) => Promise<{ id: string; kind: DocumentKind }[]>;
};
