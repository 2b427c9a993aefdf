// 実施依頼書 (DOMAIN.md P4): a routine dose given in another municipality (里帰り出産, a long
// stay in hospital …). The city writes to the other mayor or institution; the same eligibility
// guard as for 予診票 applies, since the dose must still be due in the period asked for.
import { z } from 'zod';
import { m } from '$lib/paraglide/messages';
import { formatDate } from '$lib/format';
import {
	calendarDate,
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
	parseWith,
	personName,
	personView,
	subjectOf,
	text,
	type Wizard
} from '../wizard';

export const outsideReasons = ['birth_home', 'hospital', 'facility', 'other'] as const;

const reasonLabels = () => ({
	birth_home: m.outside_reason_birth_home(),
	hospital: m.outside_reason_hospital(),
	facility: m.outside_reason_facility(),
	other: m.reason_other()
});

/** Whole days from `from` to `to` (ISO dates). */
const daysBetween = (from: string, to: string) =>
	Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

const reason = choiceWithDetail({
	name: 'reason',
	detail: 'reason_detail',
	legend: m.step_outside_reason,
	choices: outsideReasons,
	labels: reasonLabels,
	chooseMessage: m.error_choose_reason
});

export const outsideRequest: Wizard = {
	kind: 'outside_request',
	steps: ['person', 'dose', 'place', 'period', 'reason', 'delivery', 'check'],
	title: m.service_outside_request,
	intro: () => [m.outside_who(), m.outside_what(), m.outside_when()],
	personDependent: ['dose'],
	view(step, context) {
		if (step === 'person') return personView(context, m.step_outside_person());
		if (step === 'dose') return doseView(context, m.step_dose());
		if (step === 'place') {
			return {
				title: m.step_place(),
				fields: [
					{
						type: 'text',
						name: 'place_municipality',
						label: m.place_municipality_label(),
						hint: m.place_municipality_hint(),
						maxlength: 40
					},
					{
						type: 'text',
						name: 'place_institution',
						label: m.place_institution_label(),
						hint: m.place_institution_hint(),
						maxlength: 80
					}
				]
			};
		}
		if (step === 'period') {
			return {
				title: m.step_period(),
				lead: m.period_lead(),
				fields: [
					{ type: 'date', name: 'period_from', label: m.period_from_label() },
					{ type: 'date', name: 'period_until', label: m.period_until_label() }
				]
			};
		}
		if (step === 'reason') return reason.view();
		return deliveryView(context);
	},
	parse(step, form, context) {
		if (step === 'person') return parsePerson(form, context);
		if (step === 'dose') return parseDose(form, context);
		if (step === 'place') {
			return parseWith(
				z.object({
					place_municipality: z
						.string()
						.trim()
						.min(1, m.error_place_required())
						.max(40, m.error_too_long({ max: 40 })),
					place_institution: z
						.string()
						.trim()
						.max(80, m.error_too_long({ max: 80 }))
				}),
				form,
				{ place_municipality: 'one', place_institution: 'one' }
			);
		}
		if (step === 'period') {
			return parseWith(
				z
					.object({
						period_from: calendarDate(m.error_date_format()).refine(
							(value) => value >= context.today,
							m.error_period_past()
						),
						period_until: calendarDate(m.error_date_format())
					})
					.refine((value) => value.period_until >= value.period_from, {
						message: m.error_period_order(),
						path: ['period_until']
					})
					.refine((value) => daysBetween(value.period_from, value.period_until) <= 366, {
						message: m.error_period_too_long(),
						path: ['period_until']
					}),
				form,
				{ period_from: 'one', period_until: 'one' }
			);
		}
		if (step === 'reason') return reason.parse(form);
		return parseDelivery(form);
	},
	missing: ({ draft }) =>
		firstMissing([
			['person', !!draft.person],
			['dose', !!draft.dose],
			['place', !!draft.place_municipality],
			['period', !!draft.period_from],
			['reason', !!draft.reason],
			['delivery', !!draft.delivery]
		]),
	summary(context) {
		const { draft } = context;
		return [
			{ step: 'person', label: m.step_outside_person(), value: personName(context) },
			{ step: 'dose', label: m.step_dose(), value: doseLabel(context) },
			{
				step: 'place',
				label: m.step_place(),
				value: [text(draft.place_municipality), text(draft.place_institution)]
					.filter(Boolean)
					.join(' ')
			},
			{
				step: 'period',
				label: m.step_period(),
				value: draft.period_from
					? `${formatDate(text(draft.period_from))} – ${formatDate(text(draft.period_until))}`
					: ''
			},
			{
				step: 'reason',
				label: m.step_outside_reason(),
				value: reason.text(draft)
			},
			{ step: 'delivery', label: m.step_delivery(), value: deliveryText(context) }
		];
	},
	payload(context, applicationId) {
		const { draft } = context;
		const [vaccineCode, doseCode] = text(draft.dose).split(':');
		return {
			application_id: applicationId,
			kind: 'outside_request',
			subject: subjectOf(context.person!),
			vaccine_code: vaccineCode,
			dose_code: doseCode,
			place_municipality: text(draft.place_municipality),
			place_institution: text(draft.place_institution),
			period_from: text(draft.period_from),
			period_until: text(draft.period_until),
			reason: text(draft.reason),
			reason_detail: text(draft.reason_detail),
			...deliveryPayload(context)
		};
	},
	nextSteps: m.next_outside_request
};
