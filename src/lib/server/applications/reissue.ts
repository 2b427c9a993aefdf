// 予診票の再発行 (DOMAIN.md P1): who, which dose, why, how to deliver. Only routine doses not yet
// on record whose window is open or opens within 90 days can be reissued — the guard says which
// rule stopped a choice and what to do instead.
import { z } from 'zod';
import { m } from '$lib/paraglide/messages';
import {
	deliveryPayload,
	deliveryText,
	deliveryView,
	doseLabel,
	doseView,
	firstMissing,
	parseDelivery,
	parseDose,
	parsePerson,
	parseWith,
	personName,
	personView,
	subjectOf,
	text,
	type Wizard
} from './wizard';

export const reissueReasons = ['lost', 'damaged', 'moved_in', 'other'] as const;

const reasonLabels = () => ({
	lost: m.reason_lost(),
	damaged: m.reason_damaged(),
	moved_in: m.reason_moved_in(),
	other: m.reason_other()
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
		if (step === 'reason') {
			const labels = reasonLabels();
			return {
				title: m.step_reason(),
				fields: [
					{
						type: 'radio',
						name: 'reason',
						legend: m.step_reason(),
						choices: reissueReasons.map((value) => ({ value, label: labels[value] }))
					},
					{ type: 'text', name: 'reason_detail', label: m.reason_detail_label(), maxlength: 200 }
				]
			};
		}
		return deliveryView(context);
	},
	parse(step, form, context) {
		if (step === 'person') return parsePerson(form, context);
		if (step === 'dose') return parseDose(form, context);
		if (step === 'reason') {
			return parseWith(
				z
					.object({
						reason: z.enum(reissueReasons, { message: m.error_choose_reason() }),
						reason_detail: z.string().trim().max(200, m.error_too_long())
					})
					.refine((value) => value.reason !== 'other' || value.reason_detail.length > 0, {
						message: m.error_reason_detail_required(),
						path: ['reason_detail']
					}),
				form,
				{ reason: 'one', reason_detail: 'one' }
			);
		}
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
		const reason = reasonLabels()[context.draft.reason as (typeof reissueReasons)[number]] ?? '';
		const detail = text(context.draft.reason_detail);
		return [
			{ step: 'person', label: m.step_person(), value: personName(context) },
			{ step: 'dose', label: m.step_dose(), value: doseLabel(context) },
			{ step: 'reason', label: m.step_reason(), value: detail ? `${reason}（${detail}）` : reason },
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
