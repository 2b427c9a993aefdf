// 予診票の再発行 (DOMAIN.md P1) as a wizard: who, which dose, why, how to deliver. Only routine
// doses not yet on record whose window is open or opens within 90 days can be reissued — the
// guard says which rule stopped a choice and what to do instead.
import { z } from 'zod';
import type { Person, PersonRecord } from '../residents/household';

export const reissueSteps = ['person', 'dose', 'reason', 'delivery', 'check'] as const;
export type ReissueStep = (typeof reissueSteps)[number];

export const reissueReasons = ['lost', 'damaged', 'moved_in', 'other'] as const;
export const deliveries = ['mail', 'pickup'] as const;

export type ReissueDraft = {
	person?: string; // the person's opaque reference
	dose?: string; // 'vaccine_code:dose_code'
	reason?: (typeof reissueReasons)[number];
	reason_detail?: string;
	delivery?: (typeof deliveries)[number];
};

/** Field-level problems as message keys the page localizes. */
export type FieldErrors = Record<string, string>;

export const stepSchemas = {
	person: z.object({ person: z.string().regex(/^[A-Za-z0-9_-]{22}$/, 'choose_person') }),
	dose: z.object({ dose: z.string().regex(/^[a-z0-9_]+:[a-z0-9_]+$/, 'choose_dose') }),
	reason: z
		.object({
			reason: z.enum(reissueReasons, { message: 'choose_reason' }),
			reason_detail: z.string().trim().max(200, 'too_long').optional().default('')
		})
		.refine((value) => value.reason !== 'other' || value.reason_detail.length > 0, {
			message: 'reason_detail_required',
			path: ['reason_detail']
		}),
	delivery: z.object({ delivery: z.enum(deliveries, { message: 'choose_delivery' }) })
} as const;

export function parseStep(
	step: Exclude<ReissueStep, 'check'>,
	form: Record<string, string>
): { ok: true; values: Partial<ReissueDraft> } | { ok: false; errors: FieldErrors } {
	// An unanswered radio group sends nothing: treat it as an empty answer, so the message is
	// "choose …" rather than a type error.
	const fields: Record<typeof step, string[]> = {
		person: ['person'],
		dose: ['dose'],
		reason: ['reason', 'reason_detail'],
		delivery: ['delivery']
	};
	const answers = { ...Object.fromEntries(fields[step].map((field) => [field, ''])), ...form };
	const parsed = stepSchemas[step].safeParse(answers);
	if (parsed.success) return { ok: true, values: parsed.data as Partial<ReissueDraft> };
	const errors: FieldErrors = {};
	for (const issue of parsed.error.issues) {
		errors[String(issue.path[0] ?? step)] ??= issue.message;
	}
	return { ok: false, errors };
}

export type DoseChoice = { value: string; label: string; status: 'due' | 'late' | 'upcoming' };

/** The doses this person may ask a 予診票 for: not on record, window open or opening soon. */
export function doseChoices(record: PersonRecord): DoseChoice[] {
	return record.due.map((dose) => ({
		value: `${dose.vaccineCode}:${dose.doseCode}`,
		label: `${dose.vaccineName} ${dose.doseLabel}`,
		status: dose.status
	}));
}

/** Why a chosen dose cannot be reissued, or null when it can. */
export function doseRefusal(
	record: PersonRecord,
	dose: string
): 'dose_already_recorded' | 'dose_outside_window' | null {
	if (doseChoices(record).some((choice) => choice.value === dose)) return null;
	const recorded = record.history.some(
		(given) => `${given.vaccineCode}:${given.doseCode}` === dose
	);
	return recorded ? 'dose_already_recorded' : 'dose_outside_window';
}

/** The first step still missing an answer (the wizard resumes there), or 'check'. */
export function nextMissingStep(draft: ReissueDraft): ReissueStep {
	if (!draft.person) return 'person';
	if (!draft.dose) return 'dose';
	if (!draft.reason) return 'reason';
	if (!draft.delivery) return 'delivery';
	return 'check';
}

/** Exactly what the resident signs: the application as the city will process it. */
export function reissuePayload(input: {
	applicationId: string;
	person: Person;
	address: { postalCode: string; address: string };
	draft: Required<Pick<ReissueDraft, 'dose' | 'reason' | 'delivery'>> & ReissueDraft;
}) {
	const [vaccineCode, doseCode] = input.draft.dose.split(':');
	return {
		application_id: input.applicationId,
		kind: 'reissue',
		subject: {
			atena_number: input.person.atenaNumber,
			name: input.person.nameKanji,
			birth_date: input.person.birthDate,
			relation: input.person.relation
		},
		vaccine_code: vaccineCode,
		dose_code: doseCode,
		reason: input.draft.reason,
		reason_detail: input.draft.reason_detail ?? '',
		delivery: input.draft.delivery,
		delivery_address:
			input.draft.delivery === 'mail'
				? { postal_code: input.address.postalCode, address: input.address.address }
				: null
	};
}
