// 英文予防接種証明書 (DOMAIN.md P2): the resident's questions, the back office's machine, and the
// certificate its approval issues.
import type { GeneralCaseKind } from '../case-kind';
import { caseMachine } from '../case-machine';
import { issueCertificateOf } from './documents';
import { certificate } from './wizard';

export const certificateKind: GeneralCaseKind = {
	kind: 'certificate',
	wizard: certificate,
	machine: caseMachine(['certificate']),
	issueApproval: issueCertificateOf
};
