// Request handling for the 予診票 reissue wizard and the signed submission of any draft.
import { error, fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages';
import { getLocale } from '$lib/paraglide/runtime';
import { recordAudit } from '../audit/record';
import { AuthFailure } from '../auth/failures';
import { signOptions, signVerify } from '../auth/flows';
import { residentActor } from '../auth/http';
import { config } from '../config';
import { db } from '../db';
import { representedPeople, vaccinationRecord, type Person } from '../residents/household';
import {
	doseChoices,
	doseRefusal,
	nextMissingStep,
	parseStep,
	reissuePayload,
	reissueSteps,
	type ReissueDraft,
	type ReissueStep
} from './reissue';
import {
	ownApplication,
	saveDraft,
	SubmissionError,
	submitSigned,
	withdrawalPayload,
	withdrawSigned,
	type Application
} from './store';

/** The applicant's own application or a 404 with an audit entry (ids in URLs are tried). */
export async function applicationOr404(event: RequestEvent): Promise<Application> {
	const resident = event.locals.resident!;
	const application = await ownApplication(db(), resident.accountId, event.params.id ?? '');
	if (!application) {
		await recordAudit(db(), {
			municipalityCode: resident.municipalityCode,
			actor: residentActor(event.locals),
			context: event.locals.audit,
			action: 'application.view',
			objectType: 'application',
			objectId: String(event.params.id ?? '').slice(0, 64),
			result: 'denied',
			payload: { reason: 'not_own' }
		});
		error(404, m.error_not_found());
	}
	return application;
}

async function people(event: RequestEvent): Promise<Person[]> {
	const resident = event.locals.resident!;
	return representedPeople(
		db(),
		{
			id: resident.accountId,
			municipalityCode: resident.municipalityCode,
			atenaNumber: resident.atenaNumber
		},
		new Date()
	);
}

function stepOf(event: RequestEvent): ReissueStep {
	const step = event.params.step as ReissueStep;
	if (!reissueSteps.includes(step)) error(404, m.error_not_found());
	return step;
}

async function context(event: RequestEvent, application: Application) {
	const draft = application.draft as ReissueDraft;
	const household = await people(event);
	const person = household.find((candidate) => candidate.ref === draft.person) ?? null;
	const record = person
		? await vaccinationRecord(
				db(),
				application.municipality_code,
				person,
				getLocale() === 'en' ? 'en' : 'ja',
				new Date()
			)
		: null;
	return { draft, household, person, record };
}

export async function wizardLoad(event: RequestEvent) {
	const application = await applicationOr404(event);
	if (application.kind !== 'reissue') error(404, m.error_not_found());
	if (application.status !== 'draft' && application.status !== 'returned') {
		redirect(303, `/applications/${application.id}`);
	}
	const step = stepOf(event);
	const { draft, household, person, record } = await context(event, application);
	// A later step cannot be opened before the earlier ones are answered.
	const missing = nextMissingStep(draft);
	if (reissueSteps.indexOf(step) > reissueSteps.indexOf(missing)) {
		redirect(303, `/applications/${application.id}/${missing}`);
	}
	const address = person
		? await db()
				.selectFrom('resident')
				.select(['postal_code', 'address'])
				.where('municipality_code', '=', application.municipality_code)
				.where('atena_number', '=', person.atenaNumber)
				.executeTakeFirst()
		: undefined;
	const dose = record?.due.find((due) => `${due.vaccineCode}:${due.doseCode}` === draft.dose);
	await recordAudit(db(), {
		municipalityCode: application.municipality_code,
		actor: residentActor(event.locals),
		context: event.locals.audit,
		action: 'application.view',
		subjectAtenaNumber: person?.atenaNumber,
		objectType: 'application',
		objectId: application.id,
		result: 'ok',
		payload: { step }
	});
	return {
		id: application.id,
		step,
		steps: reissueSteps,
		draft,
		people: household.map((candidate) => ({
			ref: candidate.ref,
			name: candidate.nameKanji,
			relation: candidate.relation
		})),
		doses: record ? doseChoices(record) : [],
		summary: {
			person: person?.nameKanji ?? null,
			dose: dose ? `${dose.vaccineName} ${dose.doseLabel}` : null,
			address: address ? `〒${address.postal_code} ${address.address}` : null
		}
	};
}

export async function wizardAction(event: RequestEvent) {
	const application = await applicationOr404(event);
	const step = stepOf(event);
	if (step === 'check') error(405);
	const form = Object.fromEntries(
		[...(await event.request.formData()).entries()].map(([key, value]) => [
			key,
			String(value).slice(0, 500)
		])
	);
	const parsed = parseStep(step, form);
	if (!parsed.ok) return fail(400, { values: form, errors: parsed.errors });
	const values: Record<string, unknown> = { ...parsed.values };
	let subjectAtenaNumber: string | undefined;
	if (step === 'person') {
		const person = (await people(event)).find((candidate) => candidate.ref === values.person);
		if (!person) return fail(400, { values: form, errors: { person: 'choose_person' } });
		subjectAtenaNumber = person.atenaNumber;
		// Another person: the dose chosen for the previous one no longer applies.
		if ((application.draft as ReissueDraft).person !== values.person) values.dose = null;
	}
	if (step === 'dose') {
		const { record } = await context(event, application);
		const refusal = record ? doseRefusal(record, String(values.dose)) : 'dose_outside_window';
		if (refusal) return fail(400, { values: form, errors: { dose: refusal } });
	}
	if (!(await saveDraft(db(), application, values, { subjectAtenaNumber, now: new Date() }))) {
		error(409, m.application_not_editable());
	}
	const draft = { ...(application.draft as ReissueDraft), ...values } as ReissueDraft;
	// Changing an answer from "check your answers" goes back there (or to what the change made
	// necessary); a first pass goes on to the next question.
	const wasComplete = nextMissingStep(application.draft as ReissueDraft) === 'check';
	const next = wasComplete ? nextMissingStep(draft) : reissueSteps[reissueSteps.indexOf(step) + 1]!;
	redirect(303, `/applications/${application.id}/${next}`);
}

async function payloadFor(event: RequestEvent, application: Application) {
	const { draft, person } = await context(event, application);
	if (!person || nextMissingStep(draft) !== 'check') throw new SubmissionError('not_editable');
	const address = await db()
		.selectFrom('resident')
		.select(['postal_code', 'address'])
		.where('municipality_code', '=', application.municipality_code)
		.where('atena_number', '=', person.atenaNumber)
		.executeTakeFirstOrThrow();
	return reissuePayload({
		applicationId: application.id,
		person,
		address: { postalCode: address.postal_code, address: address.address },
		draft: draft as Required<Pick<ReissueDraft, 'dose' | 'reason' | 'delivery'>>
	});
}

/** Signing a submission or withdrawal: the payload is the server's, never the browser's. */
function signedTransition(kind: 'submit' | 'withdraw') {
	return {
		options: async (event: RequestEvent) => {
			const application = await applicationOr404(event);
			return signOptions(event, async () => ({
				kind,
				payload:
					kind === 'submit'
						? await refusingStale(() => payloadFor(event, application))
						: withdrawalPayload(application)
			}));
		},
		verify: async (event: RequestEvent) => {
			const application = await applicationOr404(event);
			return signVerify(event, async (act) => {
				const input = {
					application,
					act,
					actor: residentActor(event.locals),
					context: event.locals.audit,
					portalUrl: `${config().origin}/sign-in`,
					now: new Date()
				};
				await refusingStale(async () =>
					kind === 'submit'
						? submitSigned(db(), {
								...input,
								expectedPayload: await payloadFor(event, application)
							})
						: withdrawSigned(db(), input)
				);
				return {
					redirect: `/applications/${application.id}?${kind === 'submit' ? 'submitted' : 'withdrawn'}=1`
				};
			});
		}
	};
}

/** Signed something other than the current draft, or twice: refused like any bad ceremony. */
async function refusingStale<T>(run: () => Promise<T>): Promise<T> {
	try {
		return await run();
	} catch (failure) {
		if (failure instanceof SubmissionError)
			throw new AuthFailure('challenge_mismatch', failure.code);
		throw failure;
	}
}

export const submission = signedTransition('submit');
export const withdrawal = signedTransition('withdraw');
