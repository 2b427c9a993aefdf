// What every request wizard is made of (issue 4): steps with one question each (or one group of
// questions about one thing), the answers checked on the server, "check your answers", and the
// exact payload the resident signs. A request type describes its steps here; the pages render
// whatever a step describes, so the four wizards share one page, one error summary and one
// accessibility check. Texts are localized on the server (the request's locale).
import { z } from 'zod';
import { m } from '$lib/paraglide/messages';
import type { Person, PersonRecord } from '../residents/household';
import type { AttachmentSummary } from './attachments';
import type { Application } from './store';

export type Draft = Record<string, unknown>;
export type FormValues = Record<string, string | string[]>;
export type Choice = { value: string; label: string; hint?: string };

export type Field =
	| {
			type: 'radio';
			name: string;
			legend: string;
			hint?: string;
			choices: Choice[];
			/** The choice made for the resident until they answer (the usual one). */
			initial?: string;
	  }
	| { type: 'checkboxes'; name: string; legend: string; hint?: string; choices: Choice[] }
	| {
			type: 'text';
			name: string;
			label: string;
			hint?: string;
			maxlength: number;
			inputmode?: 'numeric' | 'text';
			autocomplete?: string;
			/** What the city already knows, shown until the resident answers (no re-typing). */
			initial?: string;
			/** Never echoed back: the field is empty on every showing (個人番号). */
			secret?: boolean;
			width?: 'short' | 'full';
	  }
	| { type: 'date'; name: string; label: string; hint?: string }
	| {
			type: 'number';
			name: string;
			label: string;
			hint?: string;
			min: number;
			max: number;
			initial?: string;
	  }
	| {
			type: 'files';
			name: string;
			label: string;
			hint?: string;
			purposes: Choice[];
			/** Documents this request needs, ticked when a file of that purpose is attached. */
			checklist?: { purpose: string; label: string; done: boolean }[];
	  };

export type Notice = { tone: 'info' | 'warning'; text: string };
export type StepView = { title: string; lead?: string; notices?: Notice[]; fields: Field[] };
export type SummaryRow = { label: string; value: string; step: string };
export type Parsed =
	{ ok: true; values: Draft; myNumber?: string } | { ok: false; errors: Record<string, string> };

export type Registered = {
	postalCode: string;
	address: string;
	nameRomaji: string | null;
	residentType: 'japanese' | 'foreign';
};

export type WizardContext = {
	draft: Draft;
	household: Person[];
	person: Person | null;
	record: PersonRecord | null;
	registered: Registered | null;
	attachments: AttachmentSummary[];
	certificateFeeYen: number;
	/** Whether this deployment can take a 個人番号 (it holds the back office's public key). */
	myNumberIntake: boolean;
	/** Today in Japan, YYYY-MM-DD. */
	today: string;
};

export type Wizard = {
	kind: Application['kind'];
	/** The wizard's steps in order; the last is always 'check'. */
	steps: readonly string[];
	title: () => string;
	/** Start page: what this request is for, in three short points. */
	intro: () => string[];
	/** Answers that belong to the chosen person; cleared when another person is chosen. */
	personDependent: readonly string[];
	view(step: string, context: WizardContext): StepView;
	parse(step: string, form: FormValues, context: WizardContext): Parsed;
	/** The first step still unanswered (the wizard resumes there), or 'check'. */
	missing(context: WizardContext): string;
	summary(context: WizardContext): SummaryRow[];
	/** Exactly what the resident signs: the application as the city will process it. */
	payload(context: WizardContext, applicationId: string): Record<string, unknown>;
	nextSteps: () => string;
};

export const text = (value: unknown): string => (typeof value === 'string' ? value : '');
export const list = (value: unknown): string[] =>
	Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

/**
 * Checks a step's answers with a zod schema whose messages are already localized. A radio
 * group or checkbox list left empty sends nothing: it is read as an empty answer, so the
 * message says "choose …" rather than reporting a type error.
 */
export function parseWith(
	schema: z.ZodType,
	form: FormValues,
	fields: Record<string, 'one' | 'many'>
): Parsed {
	const answers: Record<string, unknown> = {};
	for (const [name, arity] of Object.entries(fields)) {
		const value = form[name];
		answers[name] =
			arity === 'many'
				? Array.isArray(value)
					? value
					: value
						? [value]
						: []
				: Array.isArray(value)
					? (value[0] ?? '')
					: (value ?? '');
	}
	const parsed = schema.safeParse(answers);
	if (parsed.success) return { ok: true, values: parsed.data as Draft };
	const errors: Record<string, string> = {};
	for (const issue of parsed.error.issues) {
		errors[String(issue.path[0] ?? Object.keys(fields)[0])] ??= issue.message;
	}
	return { ok: false, errors };
}

/** The first step of `order` whose answer is missing, or 'check'. */
export function firstMissing(order: [step: string, answered: boolean][]): string {
	return order.find(([, answered]) => !answered)?.[0] ?? 'check';
}

// Steps shared by several requests.

export function personView(context: WizardContext, title: string): StepView {
	return {
		title,
		fields: [
			{
				type: 'radio',
				name: 'person',
				legend: title,
				choices: context.household.map((person) => ({
					value: person.ref,
					label: `${person.nameKanji}（${person.relation === 'self' ? m.relation_self() : m.relation_child()}）`
				}))
			}
		]
	};
}

export function parsePerson(form: FormValues, context: WizardContext): Parsed {
	const chosen = text(Array.isArray(form.person) ? form.person[0] : form.person);
	if (!context.household.some((person) => person.ref === chosen)) {
		return { ok: false, errors: { person: m.error_choose_person() } };
	}
	return { ok: true, values: { person: chosen } };
}

export function personName(context: WizardContext): string {
	return context.person?.nameKanji ?? '';
}

/** The doses a 予診票 or 実施依頼書 can be for: not on record, window open or opening soon. */
export function dueDoseChoices(record: PersonRecord | null): Choice[] {
	return (record?.due ?? []).map((dose) => ({
		value: `${dose.vaccineCode}:${dose.doseCode}`,
		label: `${dose.vaccineName} ${dose.doseLabel}`,
		hint:
			dose.status === 'late'
				? m.dose_status_late()
				: dose.status === 'upcoming'
					? m.dose_status_upcoming()
					: undefined
	}));
}

/** Why a dose cannot be asked for (already given, or outside its window), or null when it can. */
export function doseRefusal(record: PersonRecord | null, dose: string): string | null {
	if (dueDoseChoices(record).some((choice) => choice.value === dose)) return null;
	const recorded = record?.history.some(
		(given) => `${given.vaccineCode}:${given.doseCode}` === dose
	);
	return recorded ? m.error_dose_already_recorded() : m.error_dose_outside_window();
}

export function doseView(context: WizardContext, title: string): StepView {
	const choices = dueDoseChoices(context.record);
	return {
		title,
		lead: m.dose_hint(),
		notices: choices.length === 0 ? [{ tone: 'info', text: m.dose_none() }] : [],
		fields: [{ type: 'radio', name: 'dose', legend: title, choices }]
	};
}

export function parseDose(form: FormValues, context: WizardContext): Parsed {
	const dose = text(Array.isArray(form.dose) ? form.dose[0] : form.dose);
	if (!/^[a-z0-9_]+:[a-z0-9_]+$/.test(dose)) {
		return { ok: false, errors: { dose: m.error_choose_dose() } };
	}
	const refusal = doseRefusal(context.record, dose);
	return refusal ? { ok: false, errors: { dose: refusal } } : { ok: true, values: { dose } };
}

export function doseLabel(context: WizardContext): string {
	return (
		dueDoseChoices(context.record).find((choice) => choice.value === context.draft.dose)?.label ??
		''
	);
}

export const deliveries = ['mail', 'pickup'] as const;

export function deliveryView(context: WizardContext): StepView {
	const address = registeredAddress(context);
	return {
		title: m.step_delivery(),
		fields: [
			{
				type: 'radio',
				name: 'delivery',
				legend: m.step_delivery(),
				hint: address ? m.delivery_address({ address }) : undefined,
				choices: [
					{ value: 'mail', label: m.delivery_mail() },
					{ value: 'pickup', label: m.delivery_pickup() }
				]
			}
		]
	};
}

export function parseDelivery(form: FormValues): Parsed {
	return parseWith(
		z.object({ delivery: z.enum(deliveries, { message: m.error_choose_delivery() }) }),
		form,
		{ delivery: 'one' }
	);
}

export function deliveryText(context: WizardContext): string {
	return context.draft.delivery === 'mail'
		? `${m.delivery_mail()}: ${registeredAddress(context)}`
		: m.delivery_pickup();
}

export function registeredAddress(context: WizardContext): string {
	return context.registered
		? `〒${context.registered.postalCode} ${context.registered.address}`
		: '';
}

export function subjectOf(person: Person) {
	return {
		atena_number: person.atenaNumber,
		name: person.nameKanji,
		birth_date: person.birthDate,
		relation: person.relation
	};
}

export function deliveryPayload(context: WizardContext) {
	return {
		delivery: text(context.draft.delivery),
		delivery_address:
			context.draft.delivery === 'mail' && context.registered
				? { postal_code: context.registered.postalCode, address: context.registered.address }
				: null
	};
}

export function attachmentsPayload(context: WizardContext) {
	return context.attachments.map((file) => ({
		id: file.id,
		purpose: file.purpose,
		content_type: file.contentType,
		sha256: file.sha256
	}));
}

/** An ISO date that exists on the calendar (zod's regex alone lets 2025-02-31 through). */
export const calendarDate = (message: string) =>
	z
		.string()
		.regex(/^\d{4}-\d{2}-\d{2}$/, message)
		.refine((value) => {
			const date = new Date(`${value}T00:00:00Z`);
			return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
		}, message);

/**
 * A question answered by one choice, where "other" needs a few words (the reason for a reissue,
 * the purpose of a certificate …): its fields, its check and how it reads back.
 */
export function choiceWithDetail<T extends string>(input: {
	name: string;
	detail: string;
	legend: () => string;
	choices: readonly T[];
	labels: () => Record<T, string>;
	chooseMessage: () => string;
}) {
	return {
		view(): StepView {
			const labels = input.labels();
			return {
				title: input.legend(),
				fields: [
					{
						type: 'radio',
						name: input.name,
						legend: input.legend(),
						choices: input.choices.map((value) => ({ value, label: labels[value] }))
					},
					{ type: 'text', name: input.detail, label: m.reason_detail_label(), maxlength: 200 }
				]
			};
		},
		parse(form: FormValues): Parsed {
			return parseWith(
				z
					.object({
						[input.name]: z.enum(input.choices as [T, ...T[]], { message: input.chooseMessage() }),
						[input.detail]: z
							.string()
							.trim()
							.max(200, m.error_too_long({ max: 200 }))
					})
					.refine(
						(value) => value[input.name] !== 'other' || String(value[input.detail]).length > 0,
						{ message: m.error_reason_detail_required(), path: [input.detail] }
					),
				form,
				{ [input.name]: 'one', [input.detail]: 'one' }
			);
		},
		text(draft: Draft): string {
			const chosen = input.labels()[draft[input.name] as T] ?? '';
			const detail = text(draft[input.detail]);
			return detail ? `${chosen}（${detail}）` : chosen;
		}
	};
}
