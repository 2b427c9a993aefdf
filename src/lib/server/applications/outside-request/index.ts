// 予防接種実施依頼書 (DOMAIN.md P4): the resident's questions, the back office's machine, and the
// letter its approval issues.
import type { GeneralCaseKind } from '../case-kind';
import { caseMachine } from '../case-machine';
import { issueOutsideRequest } from './documents';
import { outsideRequest } from './wizard';

export const outsideRequestKind: GeneralCaseKind = {
	kind: 'outside_request',
	wizard: outsideRequest,
	machine: caseMachine(['outside_request']),
	issueApproval: issueOutsideRequest
};
