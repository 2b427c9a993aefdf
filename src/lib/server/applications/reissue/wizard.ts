// 予診票の再発行 (DOMAIN.md P1): who, which dose, why, how to deliver. Only routine doses not yet
// on record whose window is open or opens within 90 days can be reissued — the guard says which
// rule stopped a choice and what to do instead.
import { m } from '$lib/paraglide/messages';
import {
	choiceWithDetail,
	deliveryPayload,
	deliveryText,
	deliveryView,
	doseLabel,
	doseView,
	firstMissing,
	parseDelivery,
	parseDose,
	parsePerson,
	personName,
	personView,
	subjectOf,
	text,
	type Wizard
} from '../wizard';

export const reissueReasons = ['lost', 'damaged', 'moved_in', 'other'] as const;

const reasonLabels = () => ({
	lost: m.reason_lost(),
	damaged: m.reason_damaged(),
	moved_in: m.reason_moved_in(),
	other: m.reason_other()
});

const reason = choiceWithDetail({
	name: 'reason',
	detail: 'reason_detail',
	legend: m.step_reason,
	choices: reissueReasons,
	labels: reasonLabels,
	chooseMessage: m.error_choose_reason
});

export const reissue: Wizard = {
	kind: 'reissue',
	steps: ['person', 'dose', 'reason', 'delivery', 'check'],
	title: m.reissue_title,
	intro: () => [m.reissue_who(), m.reissue_what(), m.reissue_when()],
	personDependent: ['dose'],
	view(step, context) {
		if (step === 'person') return personView(context, m.step_person());
		if (step === 'dose') return doseView(context, m.step_dose());
		if (step === 'reason') return reason.view();
		return deliveryView(context);
	},
	parse(step, form, context) {
		if (step === 'person') return parsePerson(form, context);
		if (step === 'dose') return parseDose(form, context);
		if (step === 'reason') return reason.parse(form);
		return parseDelivery(form);
	},
	missing: ({ draft }) =>
		firstMissing([
			['person', !!draft.person],
			['dose', !!draft.dose],
			['reason', !!draft.reason],
			['delivery', !!draft.delivery]
		]),
	summary(context) {
		return [
			{ step: 'person', label: m.step_person(), value: personName(context) },
			{ step: 'dose', label: m.step_dose(), value: doseLabel(context) },
			{ step: 'reason', label: m.step_reason(), value: reason.text(context.draft) },
			{ step: 'delivery', label: m.step_delivery(), value: deliveryText(context) }
		];
	},
	payload(context, applicationId) {
		const [vaccineCode, doseCode] = text(context.draft.dose).split(':');
		return {
			application_id: applicationId,
			kind: 'reissue',
			subject: subjectOf(context.person!),
			vaccine_code: vaccineCode,
			dose_code: doseCode,
			reason: text(context.draft.reason),
			reason_detail: text(context.draft.reason_detail),
			...deliveryPayload(context)
		};
	},
	nextSteps: m.next_reissue
};
