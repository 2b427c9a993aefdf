// 英文予防接種証明書 (DOMAIN.md P2): the name exactly as in the passport, which doses, how many
// copies. Doses come from the city's record; doses given elsewhere can be shown with photos of
// the 母子健康手帳, which staff check before anything is certified.
import { z } from 'zod';
import { passportName as passportNameOf } from '../../residents/passport-romaji';
import { m } from '$lib/paraglide/messages';
import { formatDate } from '$lib/format';
import {
	attachmentsPayload,
	choiceWithDetail,
	firstMissing,
	list,
	parsePerson,
	parseWith,
	personName,
	personView,
	subjectOf,
	text,
	type Choice,
	type Wizard,
	type Field,
	type WizardContext
} from '../wizard';

export const certificatePurposes = ['travel', 'study', 'work', 'other'] as const;
/** A dose the city's record lacks, to be read from the 母子健康手帳 photos. */
export const handbookDose = 'handbook';
export const maxCopies = 5;

/** Passport names are Latin capitals, spaces and hyphens; full-width input is accepted. */
export function passportName(value: string): string {
	return value.normalize('NFKC').trim().replace(/\s+/g, ' ').toUpperCase();
}

export function recordedDoseChoices(context: WizardContext): Choice[] {
	return (context.record?.history ?? []).map((dose) => ({
		value: `${dose.vaccineCode}:${dose.doseCode}:${dose.administeredOn}`,
		label: `${dose.vaccineName} ${dose.doseLabel}（${formatDate(dose.administeredOn)}）`
	}));
}

const purposeLabels = () => ({
	travel: m.certificate_purpose_travel(),
	study: m.certificate_purpose_study(),
	work: m.certificate_purpose_work(),
	other: m.reason_other()
});

function feeText(context: WizardContext, copies: number): string {
	return context.certificateFeeYen > 0
		? m.certificate_fee({
				fee: context.certificateFeeYen.toLocaleString('ja-JP'),
				total: (context.certificateFeeYen * copies).toLocaleString('ja-JP')
			})
		: m.certificate_fee_free();
}

const purpose = choiceWithDetail({
	name: 'purpose',
	detail: 'purpose_detail',
	legend: m.step_certificate_purpose,
	choices: certificatePurposes,
	labels: purposeLabels,
	chooseMessage: m.error_choose_purpose
});

export const certificate: Wizard = {
	kind: 'certificate',
	steps: ['person', 'passport', 'purpose', 'doses', 'copies', 'evidence', 'check'],
	title: m.service_certificate,
	intro: () => [m.certificate_who(), m.certificate_what(), m.certificate_when()],
	personDependent: [
		'doses',
		'doses_mode',
		'handbook',
		'passport_name',
		'passport_number',
		'nationality'
	],
	view(step, context) {
		if (step === 'person') return personView(context, m.step_certificate_person());
		if (step === 'passport') {
			return {
				title: m.step_passport(),
				lead: m.passport_lead(),
				fields: [
					{
						type: 'text',
						name: 'passport_name',
						label: m.passport_name_label(),
						hint: m.passport_name_hint(),
						maxlength: 60,
						autocomplete: 'off',
						// The registry's romaji (foreign residents), or the 振り仮名 in passport Hepburn.
						initial:
							context.registered?.nameRomaji?.toUpperCase() ??
							(context.person ? passportNameOf(context.person.nameKana) : null) ??
							undefined
					},
					{
						type: 'text',
						name: 'passport_number',
						label: m.passport_number_label(),
						hint: m.passport_number_hint(),
						maxlength: 12,
						autocomplete: 'off',
						width: 'short'
					},
					{
						type: 'text',
						name: 'nationality',
						label: m.nationality_label(),
						hint: m.nationality_hint(),
						maxlength: 40,
						initial: context.registered?.residentType === 'japanese' ? 'JAPAN' : undefined
					}
				]
			};
		}
		if (step === 'purpose') return purpose.view();
		if (step === 'doses') {
			// Most people want every dose on record: that is the first choice and the default;
			// choosing dose by dose is the alternative (24 ticks were the only way before).
			const recorded = recordedDoseChoices(context);
			const handbook: Field = {
				type: 'checkboxes',
				name: 'handbook',
				legend: m.certificate_handbook_legend(),
				choices: [
					{
						value: handbookDose,
						label: m.certificate_handbook_dose(),
						hint: m.certificate_handbook_hint()
					}
				]
			};
			if (recorded.length === 0) {
				return {
					title: m.step_certificate_doses(),
					notices: [{ tone: 'info', text: m.certificate_no_doses() }],
					fields: [handbook]
				};
			}
			return {
				title: m.step_certificate_doses(),
				lead: m.certificate_doses_lead(),
				fields: [
					{
						type: 'radio',
						name: 'doses_mode',
						legend: m.certificate_doses_mode(),
						initial: 'all',
						choices: [
							{ value: 'all', label: m.certificate_doses_all({ count: recorded.length }) },
							{ value: 'choose', label: m.certificate_doses_choose() }
						]
					},
					{
						type: 'checkboxes',
						name: 'doses',
						legend: m.certificate_doses_choose_legend(),
						hint: m.certificate_doses_choose_hint(),
						choices: recorded
					},
					handbook
				]
			};
		}
		if (step === 'copies') {
			return {
				title: m.step_copies(),
				notices: [{ tone: 'info', text: feeText(context, 1) }],
				fields: [
					{
						type: 'number',
						name: 'copies',
						label: m.step_copies(),
						hint: m.copies_hint({ max: maxCopies }),
						min: 1,
						max: maxCopies,
						initial: '1'
					}
				]
			};
		}
		// evidence
		const needed = list(context.draft.doses).includes(handbookDose);
		return {
			title: m.step_evidence(),
			lead: needed ? m.evidence_lead_needed() : m.evidence_lead_optional(),
			fields: [
				{
					type: 'files',
					name: 'attachment',
					label: m.attachment_label(),
					hint: m.attachment_hint(),
					purposes: [{ value: 'boshi_techo', label: m.purpose_boshi_techo() }]
				}
			]
		};
	},
	parse(step, form, context) {
		if (step === 'person') return parsePerson(form, context);
		if (step === 'passport') {
			return parseWith(
				z.object({
					passport_name: z
						.string()
						.transform(passportName)
						.pipe(
							z
								.string()
								.min(1, m.error_passport_name_required())
								.max(60, m.error_too_long({ max: 60 }))
								.regex(/^[A-Z]+([ -][A-Z]+)*$/, m.error_passport_name_format())
						),
					passport_number: z
						.string()
						.transform((value) => value.normalize('NFKC').replace(/\s/g, '').toUpperCase())
						.pipe(z.string().regex(/^([A-Z0-9]{6,12})?$/, m.error_passport_number_format())),
					nationality: z
						.string()
						.transform((value) => value.normalize('NFKC').trim().toUpperCase())
						.pipe(
							z
								.string()
								.min(1, m.error_nationality_required())
								.max(40, m.error_too_long({ max: 40 }))
								.regex(/^[A-Z][A-Z .'-]*$/, m.error_nationality_format())
						)
				}),
				form,
				{ passport_name: 'one', passport_number: 'one', nationality: 'one' }
			);
		}
		if (step === 'purpose') return purpose.parse(form);
		if (step === 'doses') {
			const recorded = recordedDoseChoices(context).map((choice) => choice.value);
			const allowed = new Set(recorded);
			const parsed = parseWith(
				z.object({
					doses_mode: z.enum(['all', 'choose']).catch(recorded.length ? 'all' : 'choose'),
					doses: z
						.array(z.string())
						.refine((doses) => doses.every((dose) => allowed.has(dose)), m.error_choose_doses()),
					handbook: z.array(z.literal(handbookDose), { message: m.error_choose_doses() })
				}),
				form,
				{ doses_mode: 'one', doses: 'many', handbook: 'many' }
			);
			if (!parsed.ok) return parsed;
			const { doses_mode, doses, handbook } = parsed.values as {
				doses_mode: 'all' | 'choose';
				doses: string[];
				handbook: string[];
			};
			const chosen = doses_mode === 'all' ? recorded : [...new Set(doses)];
			if (chosen.length === 0 && handbook.length === 0) {
				return { ok: false, errors: { doses: m.error_choose_doses() } };
			}
			return {
				ok: true,
				values: { doses_mode, handbook, doses: [...chosen, ...handbook] }
			};
		}
		if (step === 'copies') {
			return parseWith(
				z.object({
					copies: z
						.string()
						.transform((value) => value.normalize('NFKC').trim())
						.pipe(
							z
								.string()
								.regex(/^[0-9]+$/, m.error_copies({ max: maxCopies }))
								.transform(Number)
								.pipe(
									z
										.number()
										.int()
										.min(1, m.error_copies({ max: maxCopies }))
										.max(maxCopies, m.error_copies({ max: maxCopies }))
								)
						)
				}),
				form,
				{ copies: 'one' }
			);
		}
		// evidence: photos are needed only for doses the city's record lacks
		if (list(context.draft.doses).includes(handbookDose) && context.attachments.length === 0) {
			return { ok: false, errors: { attachment: m.error_evidence_needed() } };
		}
		return { ok: true, values: { evidence_seen: true } };
	},
	missing: ({ draft }) =>
		firstMissing([
			['person', !!draft.person],
			['passport', !!draft.passport_name],
			['purpose', !!draft.purpose],
			['doses', list(draft.doses).length > 0],
			['copies', typeof draft.copies === 'number'],
			['evidence', draft.evidence_seen === true]
		]),
	summary(context) {
		const { draft } = context;
		const choices = new Map(
			[
				...recordedDoseChoices(context),
				{ value: handbookDose, label: m.certificate_handbook_dose() }
			].map((choice) => [choice.value, choice.label])
		);
		const copies = typeof draft.copies === 'number' ? draft.copies : 1;
		return [
			{ step: 'person', label: m.step_certificate_person(), value: personName(context) },
			{
				step: 'passport',
				label: m.step_passport(),
				value: [
					text(draft.passport_name),
					text(draft.passport_number) || m.passport_number_none(),
					text(draft.nationality)
				].join(' / ')
			},
			{
				step: 'purpose',
				label: m.step_certificate_purpose(),
				value: purpose.text(draft)
			},
			{
				step: 'doses',
				label: m.step_certificate_doses(),
				value:
					draft.doses_mode === 'all'
						? [
								m.certificate_doses_all({ count: recordedDoseChoices(context).length }),
								...(list(draft.doses).includes(handbookDose) ? [m.certificate_handbook_dose()] : [])
							].join('、')
						: list(draft.doses)
								.map((dose) => choices.get(dose) ?? dose)
								.join('、')
			},
			{
				step: 'copies',
				label: m.step_copies(),
				value: `${copies}　${feeText(context, copies)}`
			},
			{
				step: 'evidence',
				label: m.step_evidence(),
				value: context.attachments.length
					? context.attachments.map((file) => file.fileName).join('、')
					: m.evidence_none()
			}
		];
	},
	payload(context, applicationId) {
		const { draft } = context;
		const copies = typeof draft.copies === 'number' ? draft.copies : 1;
		return {
			application_id: applicationId,
			kind: 'certificate',
			subject: subjectOf(context.person!),
			passport_name: text(draft.passport_name),
			passport_number: text(draft.passport_number) || null,
			nationality: text(draft.nationality),
			purpose: text(draft.purpose),
			purpose_detail: text(draft.purpose_detail),
			doses: list(draft.doses)
				.filter((dose) => dose !== handbookDose)
				.map((dose) => {
					const [vaccine_code, dose_code, administered_on] = dose.split(':');
					return { vaccine_code, dose_code, administered_on };
				}),
			doses_from_handbook: list(draft.doses).includes(handbookDose),
			copies,
			fee_yen: context.certificateFeeYen * copies,
			attachments: attachmentsPayload(context)
		};
	},
	nextSteps: m.next_certificate
};
