// 健康被害救済 (DOMAIN.md P3). A short checker comes first: only routine (定期) and temporary
// (臨時) vaccinations under the Immunization Act are the city's; voluntary ones go to PMDA. The
// benefits on offer depend on A類/B類; each benefit needs its own documents, shown as a
// checklist with uploads (what is missing can follow by post — the caseworker asks for it with
// a 差し戻し). The 個人番号 is asked for here and nowhere else, checked by its check digit,
// sealed for the back office at once and never shown again.
import { z } from 'zod';
import { m } from '$lib/paraglide/messages';
import { formatDate } from '$lib/format';
import {
	attachmentsPayload,
	calendarDate,
	firstMissing,
	list,
	parsePerson,
	parseWith,
	personName,
	personView,
	subjectOf,
	text,
	type Choice,
	type Notice,
	type Parsed,
	type Wizard,
	type WizardContext
} from '../wizard';
import { isValidMyNumber } from '../../mynumber/check-digit';

export const vaccinationTypes = ['routine_a', 'routine_b', 'temporary', 'voluntary'] as const;
type VaccinationType = (typeof vaccinationTypes)[number];

// Benefits a living claimant can ask for online, by category (予防接種法第16条). Death-related
// benefits (死亡一時金, 遺族年金, 葬祭料 …) are claimed by the bereaved family at the desk.
const benefitsByType: Record<Exclude<VaccinationType, 'voluntary'>, readonly string[]> = {
	routine_a: [
		'medical_expenses',
		'medical_allowance',
		'child_disability_pension',
		'disability_pension'
	],
	temporary: [
		'medical_expenses',
		'medical_allowance',
		'child_disability_pension',
		'disability_pension'
	],
	routine_b: ['medical_expenses', 'medical_allowance', 'disability_pension']
};

/** Which documents each benefit needs (besides the claim itself, which this application is). */
const documentsByBenefit: Record<string, readonly string[]> = {
	medical_expenses: ['vaccination_proof', 'medical_record', 'receipts', 'bankbook'],
	medical_allowance: ['vaccination_proof', 'medical_record', 'bankbook'],
	child_disability_pension: ['vaccination_proof', 'medical_record', 'diagnosis', 'bankbook'],
	disability_pension: ['vaccination_proof', 'medical_record', 'diagnosis', 'bankbook']
};
export const documentPurposes = [
	'vaccination_proof',
	'medical_record',
	'diagnosis',
	'receipts',
	'bankbook',
	'other'
] as const;

export function requiredDocuments(benefits: string[]): string[] {
	const needed = new Set(benefits.flatMap((benefit) => documentsByBenefit[benefit] ?? []));
	return documentPurposes.filter((purpose) => needed.has(purpose));
}

/** Routine and temporary vaccinations are the city's; voluntary ones are PMDA's. */
export function reliefRoute(type: string): 'city' | 'pmda' {
	return type === 'voluntary' ? 'pmda' : 'city';
}

const unrecorded = 'unrecorded';

const typeLabels = () => ({
	routine_a: m.relief_type_routine_a(),
	routine_b: m.relief_type_routine_b(),
	temporary: m.relief_type_temporary(),
	voluntary: m.relief_type_voluntary()
});
const benefitLabels = (): Record<string, string> => ({
	medical_expenses: m.benefit_medical_expenses(),
	medical_allowance: m.benefit_medical_allowance(),
	child_disability_pension: m.benefit_child_disability_pension(),
	disability_pension: m.benefit_disability_pension()
});
export const purposeLabels = (): Record<string, string> => ({
	vaccination_proof: m.purpose_vaccination_proof(),
	medical_record: m.purpose_medical_record(),
	diagnosis: m.purpose_diagnosis(),
	receipts: m.purpose_receipts(),
	bankbook: m.purpose_bankbook(),
	other: m.purpose_other(),
	boshi_techo: m.purpose_boshi_techo()
});

function offeredBenefits(draft: Record<string, unknown>): readonly string[] {
	const type = draft.vaccination_type as Exclude<VaccinationType, 'voluntary'>;
	return benefitsByType[type] ?? [];
}

function doseChoices(context: WizardContext): Choice[] {
	const category = context.draft.vaccination_type === 'routine_b' ? 'B' : 'A';
	return (context.record?.history ?? [])
		.filter((dose) =>
			context.draft.vaccination_type === 'temporary' ? true : dose.category === category
		)
		.map((dose) => ({
			value: `${dose.vaccineCode}:${dose.doseCode}:${dose.administeredOn}`,
			label: `${dose.vaccineName} ${dose.doseLabel}（${formatDate(dose.administeredOn)}）`
		}));
}

/** Five years after the date, as the claim deadline for 医療費・医療手当 counts (ISO dates). */
const fiveYearsBefore = (today: string) => `${Number(today.slice(0, 4)) - 5}${today.slice(4)}`;

export const relief: Wizard = {
	kind: 'relief',
	steps: [
		'checker',
		'benefits',
		'person',
		'vaccination',
		'documents',
		'account',
		'my_number',
		'check'
	],
	title: m.service_relief,
	intro: () => [m.relief_who(), m.relief_what(), m.relief_when()],
	personDependent: ['vaccination'],
	view(step, context) {
		const { draft } = context;
		if (step === 'checker') {
			const labels = typeLabels();
			return {
				title: m.step_relief_checker(),
				lead: m.relief_checker_lead(),
				fields: [
					{
						type: 'radio',
						name: 'vaccination_type',
						legend: m.relief_type_legend(),
						choices: vaccinationTypes.map((value) => ({
							value,
							label: labels[value],
							hint: value === 'voluntary' ? m.relief_type_voluntary_hint() : undefined
						}))
					},
					{
						type: 'date',
						name: 'vaccinated_on',
						label: m.relief_vaccinated_on_label(),
						hint: m.relief_vaccinated_on_hint()
					}
				]
			};
		}
		if (step === 'benefits') {
			const labels = benefitLabels();
			const notices: Notice[] = [{ tone: 'warning', text: m.relief_deadline_warning() }];
			if (text(draft.vaccinated_on) && text(draft.vaccinated_on) < fiveYearsBefore(context.today)) {
				notices.push({ tone: 'warning', text: m.relief_deadline_old() });
			}
			notices.push({ tone: 'info', text: m.relief_death_benefits() });
			return {
				title: m.step_benefits(),
				notices,
				fields: [
					{
						type: 'checkboxes',
						name: 'benefits',
						legend: m.step_benefits(),
						hint: m.benefits_hint(),
						choices: offeredBenefits(draft).map((value) => ({ value, label: labels[value]! }))
					}
				]
			};
		}
		if (step === 'person') return personView(context, m.step_relief_person());
		if (step === 'vaccination') {
			return {
				title: m.step_relief_vaccination(),
				fields: [
					{
						type: 'radio',
						name: 'vaccination',
						legend: m.step_relief_vaccination(),
						choices: [
							...doseChoices(context),
							{
								value: unrecorded,
								label: m.relief_unrecorded(),
								hint: m.relief_unrecorded_hint()
							}
						]
					}
				]
			};
		}
		if (step === 'documents') {
			const labels = purposeLabels();
			const attached = new Set(context.attachments.map((file) => file.purpose));
			return {
				title: m.step_documents(),
				lead: m.documents_lead(),
				fields: [
					{
						type: 'files',
						name: 'attachment',
						label: m.attachment_label(),
						hint: m.attachment_hint(),
						purposes: documentPurposes.map((value) => ({ value, label: labels[value]! })),
						checklist: requiredDocuments(list(draft.benefits)).map((purpose) => ({
							purpose,
							label: labels[purpose]!,
							done: attached.has(purpose)
						}))
					}
				]
			};
		}
		if (step === 'account') {
			return {
				title: m.step_relief_account(),
				lead: m.relief_account_lead(),
				fields: [
					{
						type: 'text',
						name: 'bank_code',
						label: m.relief_field_bank_code(),
						hint: m.relief_bank_code_hint(),
						maxlength: 4,
						inputmode: 'numeric',
						autocomplete: 'off',
						width: 'short'
					},
					{
						type: 'text',
						name: 'branch_code',
						label: m.relief_field_branch_code(),
						maxlength: 3,
						inputmode: 'numeric',
						autocomplete: 'off',
						width: 'short'
					},
					{
						type: 'radio',
						name: 'account_type',
						legend: m.relief_field_account_type(),
						choices: [
							{ value: 'ordinary', label: m.relief_account_ordinary() },
							{ value: 'current', label: m.relief_account_current() }
						]
					},
					{
						type: 'text',
						name: 'account_number',
						label: m.relief_field_account_number(),
						maxlength: 7,
						inputmode: 'numeric',
						autocomplete: 'off',
						width: 'short'
					},
					{
						type: 'text',
						name: 'account_holder',
						label: m.relief_field_account_holder(),
						hint: m.relief_account_holder_hint(),
						maxlength: 30,
						autocomplete: 'off'
					}
				]
			};
		}
		// my_number
		return {
			title: m.step_my_number(),
			lead: context.myNumberIntake ? m.my_number_lead() : m.my_number_unavailable(),
			notices:
				draft.my_number === 'provided' ? [{ tone: 'info', text: m.my_number_already() }] : [],
			fields: context.myNumberIntake
				? [
						{
							type: 'text',
							name: 'my_number',
							label: m.my_number_label(),
							hint: m.my_number_hint(),
							maxlength: 14,
							inputmode: 'numeric',
							autocomplete: 'off',
							secret: true,
							width: 'short'
						}
					]
				: []
		};
	},
	parse(step, form, context): Parsed {
		const { draft } = context;
		if (step === 'checker') {
			const parsed = parseWith(
				z.object({
					vaccination_type: z.enum(vaccinationTypes, { message: m.error_choose_relief_type() }),
					vaccinated_on: calendarDate(m.error_date_format()).refine(
						(value) => value <= context.today,
						m.error_date_future()
					)
				}),
				form,
				{ vaccination_type: 'one', vaccinated_on: 'one' }
			);
			if (parsed.ok && reliefRoute(text(parsed.values.vaccination_type)) === 'pmda') {
				return { ok: false, errors: { vaccination_type: m.relief_pmda() } };
			}
			// Another category offers other benefits: what was ticked before may no longer apply.
			if (parsed.ok && parsed.values.vaccination_type !== draft.vaccination_type) {
				parsed.values.benefits = null;
				parsed.values.vaccination = null;
			}
			return parsed;
		}
		if (step === 'benefits') {
			const offered = offeredBenefits(draft);
			return parseWith(
				z.object({
					benefits: z
						.array(z.string())
						.min(1, m.error_choose_benefits())
						.refine(
							(values) => values.every((value) => offered.includes(value)),
							m.error_choose_benefits()
						)
						.transform((values) => offered.filter((value) => values.includes(value)))
				}),
				form,
				{ benefits: 'many' }
			);
		}
		if (step === 'person') {
			const parsed = parsePerson(form, context);
			if (!parsed.ok) return parsed;
			const person = context.household.find((candidate) => candidate.ref === parsed.values.person);
			if (
				person?.relation === 'self' &&
				list(draft.benefits).includes('child_disability_pension')
			) {
				return { ok: false, errors: { person: m.error_child_pension_adult() } };
			}
			return parsed;
		}
		if (step === 'vaccination') {
			const allowed = new Set([...doseChoices(context).map((choice) => choice.value), unrecorded]);
			return parseWith(
				z.object({
					vaccination: z
						.string()
						.refine((value) => allowed.has(value), m.error_choose_vaccination())
				}),
				form,
				{ vaccination: 'one' }
			);
		}
		if (step === 'documents') return { ok: true, values: { documents_seen: true } };
		if (step === 'account') {
			const digits = (length: number, message: string) =>
				z
					.string()
					.transform((value) => value.normalize('NFKC').replace(/[\s-]/g, ''))
					.refine((value) => new RegExp(`^[0-9]{${length}}$`).test(value), message);
			return parseWith(
				z.object({
					bank_code: digits(4, m.error_bank_code()),
					branch_code: digits(3, m.error_branch_code()),
					account_type: z.enum(['ordinary', 'current'], { message: m.error_account_type() }),
					account_number: digits(7, m.error_account_number()),
					// Half-width kana and hiragana are read as the katakana the bank prints.
					account_holder: z
						.string()
						.transform((value) =>
							value
								.normalize('NFKC')
								.trim()
								.replace(/[\u3041-\u3096]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60))
								.replace(/ /g, '　')
						)
						.refine((value) => /^[ァ-ヶー・　()（）]{1,30}$/.test(value), m.error_account_holder())
				}),
				form,
				{
					bank_code: 'one',
					branch_code: 'one',
					account_type: 'one',
					account_number: 'one',
					account_holder: 'one'
				}
			);
		}
		// my_number
		if (!context.myNumberIntake) return { ok: true, values: { my_number: 'at_desk' } };
		const entered = text(Array.isArray(form.my_number) ? form.my_number[0] : form.my_number)
			.normalize('NFKC')
			.replace(/[\s-]/g, '');
		if (entered === '' && draft.my_number === 'provided') {
			return { ok: true, values: {} }; // already sealed; nothing new typed
		}
		if (!/^[0-9]{12}$/.test(entered)) {
			return { ok: false, errors: { my_number: m.error_my_number_format() } };
		}
		if (!isValidMyNumber(entered)) {
			return { ok: false, errors: { my_number: m.error_my_number_check_digit() } };
		}
		return { ok: true, values: { my_number: 'provided' }, myNumber: entered };
	},
	missing: ({ draft }) =>
		firstMissing([
			['checker', !!draft.vaccination_type && !!draft.vaccinated_on],
			['benefits', list(draft.benefits).length > 0],
			['person', !!draft.person],
			['vaccination', !!draft.vaccination],
			['documents', draft.documents_seen === true],
			['account', !!draft.account_number],
			['my_number', draft.my_number === 'provided' || draft.my_number === 'at_desk']
		]),
	summary(context) {
		const { draft } = context;
		const benefits = benefitLabels();
		const purposes = purposeLabels();
		const attached = new Set(context.attachments.map((file) => file.purpose));
		const missing = requiredDocuments(list(draft.benefits)).filter(
			(purpose) => !attached.has(purpose)
		);
		const vaccination =
			draft.vaccination === unrecorded
				? m.relief_unrecorded()
				: (doseChoices(context).find((choice) => choice.value === draft.vaccination)?.label ?? '');
		return [
			{
				step: 'checker',
				label: m.step_relief_checker(),
				value: draft.vaccinated_on
					? `${typeLabels()[draft.vaccination_type as VaccinationType] ?? ''}（${formatDate(text(draft.vaccinated_on))}）`
					: ''
			},
			{
				step: 'benefits',
				label: m.step_benefits(),
				value: list(draft.benefits)
					.map((benefit) => benefits[benefit] ?? benefit)
					.join('、')
			},
			{ step: 'person', label: m.step_relief_person(), value: personName(context) },
			{ step: 'vaccination', label: m.step_relief_vaccination(), value: vaccination },
			{
				step: 'documents',
				label: m.step_documents(),
				value: [
					context.attachments.length
						? context.attachments
								.map((file) => `${purposes[file.purpose] ?? file.purpose}: ${file.fileName}`)
								.join('、')
						: m.evidence_none(),
					missing.length
						? m.documents_missing({ list: missing.map((purpose) => purposes[purpose]).join('、') })
						: ''
				]
					.filter(Boolean)
					.join(' / ')
			},
			{
				step: 'account',
				label: m.step_relief_account(),
				value: draft.account_number
					? `${text(draft.bank_code)}-${text(draft.branch_code)} ${draft.account_type === 'current' ? m.relief_account_current() : m.relief_account_ordinary()} ${text(draft.account_number)} ${text(draft.account_holder)}`
					: ''
			},
			{
				step: 'my_number',
				label: m.step_my_number(),
				value: draft.my_number === 'provided' ? m.my_number_provided() : m.my_number_at_desk()
			}
		];
	},
	payload(context, applicationId) {
		const { draft } = context;
		const attached = new Set(context.attachments.map((file) => file.purpose));
		const [vaccine_code, dose_code, administered_on] = text(draft.vaccination).split(':');
		return {
			application_id: applicationId,
			kind: 'relief',
			subject: subjectOf(context.person!),
			vaccination_type: text(draft.vaccination_type),
			vaccinated_on: text(draft.vaccinated_on),
			benefits: list(draft.benefits),
			vaccination:
				draft.vaccination === unrecorded ? null : { vaccine_code, dose_code, administered_on },
			attachments: attachmentsPayload(context),
			account: {
				bank_code: text(draft.bank_code),
				branch_code: text(draft.branch_code),
				type: text(draft.account_type),
				number: text(draft.account_number),
				holder: text(draft.account_holder)
			},
			documents_missing: requiredDocuments(list(draft.benefits)).filter(
				(purpose) => !attached.has(purpose)
			),
			// Whether a number was sealed for the back office; the number itself is never here.
			my_number: text(draft.my_number)
		};
	},
	nextSteps: m.next_relief
};
