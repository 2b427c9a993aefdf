// 予診票の再発行 (DOMAIN.md P1): the resident's questions, the back office's machine, and the
// 予診票 its approval issues.
import type { GeneralCaseKind } from '../case-kind';
import { caseMachine } from '../case-machine';
import { issueReissue } from './documents';
import { reissue } from './wizard';

export const reissueKind: GeneralCaseKind = {
	kind: 'reissue',
	wizard: reissue,
	machine: caseMachine(['reissue']),
	issueApproval: issueReissue
};
