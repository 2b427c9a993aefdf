// The four requests a resident can make, by the kind stored on the application and by the
// word used in URLs (/apply/reissue …).
import { certificateKind } from './certificate/index';
import { outsideRequestKind } from './outside-request/index';
import { reissueKind } from './reissue/index';
import { reliefKind } from './relief/index';
import { m } from '$lib/paraglide/messages';
import type { Wizard } from './wizard';
import type { GeneralCaseKind } from './case-kind';

/** The kinds the general case screens work on, each from its own folder. */
export const generalKinds: Record<GeneralCaseKind['kind'], GeneralCaseKind> = {
	reissue: reissueKind,
	certificate: certificateKind,
	outside_request: outsideRequestKind
};

export const wizards: Record<string, Wizard> = {
	reissue: reissueKind.wizard,
	certificate: certificateKind.wizard,
	relief: reliefKind.wizard,
	outside_request: outsideRequestKind.wizard
};

export const kindSlugs = {
	reissue: 'reissue',
	certificate: 'certificate',
	relief: 'relief',
	'outside-request': 'outside_request'
} as const;

export function wizardFor(kind: string): Wizard | null {
	return Object.hasOwn(wizards, kind) ? wizards[kind]! : null;
}

const stepTitles: Record<string, () => string> = {
	person: m.step_person,
	dose: m.step_dose,
	reason: m.step_reason,
	delivery: m.step_delivery,
	passport: m.step_passport,
	purpose: m.step_certificate_purpose,
	doses: m.step_certificate_doses,
	copies: m.step_copies,
	evidence: m.step_evidence,
	place: m.step_place,
	period: m.step_period,
	checker: m.step_relief_checker,
	benefits: m.step_benefits,
	vaccination: m.step_relief_vaccination,
	documents: m.step_documents,
	account: m.step_relief_account,
	my_number: m.step_my_number
};
const kindStepTitles: Record<string, Record<string, () => string>> = {
	certificate: { person: m.step_certificate_person },
	outside_request: { person: m.step_outside_person, reason: m.step_outside_reason },
	relief: { person: m.step_relief_person }
};

/** A step's name as the resident saw it: for 差し戻し items on both sides of the counter. */
export function stepTitle(kind: string, step: string): string {
	return (kindStepTitles[kind]?.[step] ?? stepTitles[step] ?? (() => step))();
}
