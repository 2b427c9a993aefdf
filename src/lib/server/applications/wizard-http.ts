// Request handling for the four request wizards: starting a draft, each step (answers, uploads),
// "check your answers", and the signed submission and withdrawal of any application.
import { actorOf } from '../audit/caller';
import { residentCaller } from '../http/caller';
import { error, fail, json, redirect, type RequestEvent } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages';
import { getLocale } from '$lib/paraglide/runtime';
import { recordAudit } from '../audit/record';
import { AuthFailure } from '../auth/failures';
import { AnswerWithoutAct } from '../auth/signed-acts';
import { signOptions, signVerify } from '../http/ceremony';
import { servedMunicipality } from '../municipality/served';
import { config } from '../config';
import { db } from '../db';
import { sealIntake } from '../mynumber/intake';
import {
	accountOf,
	representedPeople,
	vaccinationRecord,
	type Person
} from '../residents/household';
import { tokyoDate } from '../time';
import {
	addAttachment,
	AttachmentError,
	attachmentContent,
	attachmentsOf,
	removeAttachment
} from './attachments';
import { clamdAddress, scanWithClamd, type Scanner } from './antivirus';
import { kindSlugs, stepTitle, wizardFor } from './kinds';
import { residentMay, type Status } from './status';
import {
	createDraft,
	ownApplication,
	saveDraft,
	SubmissionError,
	submitSigned,
	withdrawalPayload,
	withdrawSigned,
	type Application
} from './store';
import { dueDoseChoices, type FormValues, type Wizard, type WizardContext } from './wizard';
import { formOf } from '../http/form';
import { isUuid } from '../ids';

const stepPath = (id: string, step: string) => `/applications/${id}/${step}`;

function audit(
	event: RequestEvent,
	entry: {
		application: Application;
		action: Parameters<typeof recordAudit>[1]['action'];
		objectType?: string;
		objectId?: string;
		subjectAtenaNumber?: string;
		result?: 'ok' | 'denied' | 'error';
		payload?: Record<string, unknown>;
	}
) {
	return recordAudit(db(), {
		municipalityCode: entry.application.municipality_code,
		actor: actorOf(residentCaller(event.locals)),
		context: event.locals.audit,
		action: entry.action,
		subjectAtenaNumber:
			entry.subjectAtenaNumber ?? entry.application.subject_atena_number ?? undefined,
		objectType: entry.objectType ?? 'application',
		objectId: entry.objectId ?? entry.application.id,
		result: entry.result ?? 'ok',
		payload: entry.payload
	});
}

/** The applicant's own application or a 404 with an audit entry (ids in URLs are tried). */
export async function applicationOr404(event: RequestEvent): Promise<Application> {
	const resident = event.locals.resident!;
	const application = await ownApplication(
		db(),
		accountOf(resident),
		event.params.id ?? '',
		new Date()
	);
	if (!application) {
		await recordAudit(db(), {
			municipalityCode: resident.municipalityCode,
			actor: actorOf(residentCaller(event.locals)),
			context: event.locals.audit,
			action: 'application.view',
			objectType: 'application',
			objectId: String(event.params.id ?? '').slice(0, 64),
			result: 'denied',
			payload: { reason: 'not_own_or_not_represented' }
		});
		error(404, m.error_not_found());
	}
	return application;
}

function wizardOf(application: Application): Wizard {
	const wizard = wizardFor(application.kind);
	if (!wizard) error(404, m.error_not_found());
	return wizard;
}

async function household(event: RequestEvent): Promise<Person[]> {
	const resident = event.locals.resident!;
	return representedPeople(db(), accountOf(resident), new Date());
}

/** The served city's fee comes from its cached settings; another city's is read. */
async function certificateFeeYen(municipalityCode: string): Promise<number> {
	const served = await servedMunicipality();
	if (served.municipality_code === municipalityCode) return served.certificate_fee_yen;
	const row = await db()
		.selectFrom('municipality')
		.select('certificate_fee_yen')
		.where('municipality_code', '=', municipalityCode)
		.executeTakeFirstOrThrow();
	return row.certificate_fee_yen;
}

/** Everything a step needs to know about the applicant, the person and the draft. */
export async function wizardContext(
	event: RequestEvent,
	application: Application,
	draft = application.draft as Record<string, unknown>
): Promise<WizardContext> {
	const now = new Date();
	const people = await household(event);
	const person = people.find((candidate) => candidate.ref === draft.person) ?? null;
	const [record, registered, attachments, feeYen] = await Promise.all([
		person
			? vaccinationRecord(
					db(),
					application.municipality_code,
					person,
					getLocale() === 'en' ? 'en' : 'ja',
					now
				)
			: null,
		person
			? db()
					.selectFrom('resident')
					.select(['postal_code', 'address', 'name_romaji', 'resident_type'])
					.where('municipality_code', '=', application.municipality_code)
					.where('atena_number', '=', person.atenaNumber)
					.executeTakeFirst()
			: undefined,
		attachmentsOf(db(), application.id),
		certificateFeeYen(application.municipality_code)
	]);
	return {
		// A person no longer represented (18, DV flag) is an unanswered question, not a name.
		draft: person || !draft.person ? draft : { ...draft, person: null },
		household: people,
		person,
		record,
		registered: registered
			? {
					postalCode: registered.postal_code,
					address: registered.address,
					nameRomaji: registered.name_romaji,
					residentType: registered.resident_type as 'japanese' | 'foreign'
				}
			: null,
		attachments,
		certificateFeeYen: feeYen,
		myNumberIntake: config().myNumberIntakeKey !== undefined,
		today: tokyoDate(now)
	};
}

type ReturnItem = { step: string; note: string };
const returnItemsOf = (application: Application): ReturnItem[] =>
	Array.isArray(application.return_items) ? (application.return_items as ReturnItem[]) : [];

/**
 * Which step the resident may open now: a later step only once the earlier ones are answered;
 * after a 差し戻し only what the caseworker asked to correct (and anything that correction made
 * necessary), so the rest of the signed application stays as it was.
 */
function reachableStep(
	wizard: Wizard,
	application: Application,
	context: WizardContext,
	step: string
): string {
	const missing = wizard.missing(context);
	if (wizard.steps.indexOf(step) > wizard.steps.indexOf(missing)) return missing;
	if (application.status === 'returned' && step !== 'check' && step !== missing) {
		const asked = returnItemsOf(application).map((item) => item.step);
		if (!asked.includes(step)) return 'check';
	}
	return step;
}

async function editable(event: RequestEvent) {
	const application = await applicationOr404(event);
	const wizard = wizardOf(application);
	const step = event.params.step ?? '';
	if (!wizard.steps.includes(step)) error(404, m.error_not_found());
	if (application.status !== 'draft' && application.status !== 'returned') {
		redirect(303, `/applications/${application.id}`);
	}
	return { application, wizard, step };
}

/**
 * For a request about a dose (予診票の再発行, 実施依頼書): who in the household has a dose that can
 * be asked for now, and who has none, said before a draft exists (issue 25: the wizard refused
 * only at step 2 and left an empty 下書き each time).
 */
async function dosesByPerson(event: RequestEvent, wizard: Wizard) {
	if (!wizard.steps.includes('dose')) return null;
	const resident = event.locals.resident!;
	const people = await household(event);
	const locale = getLocale() === 'en' ? 'en' : 'ja';
	return Promise.all(
		people.map(async (person) => ({
			name: person.nameKanji,
			doses: dueDoseChoices(
				await vaccinationRecord(db(), resident.municipalityCode, person, locale, new Date())
			).length
		}))
	);
}

export async function startLoad(event: RequestEvent) {
	const wizard = startingWizard(event);
	const people = await dosesByPerson(event, wizard);
	return {
		slug: event.params.kind!,
		title: wizard.title(),
		intro: wizard.intro(),
		startKey: crypto.randomUUID(),
		nothingFor: (people ?? []).filter((person) => person.doses === 0).map((person) => person.name),
		canStart: people === null || people.some((person) => person.doses > 0)
	};
}

function startingWizard(event: RequestEvent): Wizard {
	const kind = kindSlugs[event.params.kind as keyof typeof kindSlugs];
	const wizard = kind ? wizardFor(kind) : null;
	if (!wizard) error(404, m.error_not_found());
	return wizard;
}

export async function startAction(event: RequestEvent) {
	const wizard = startingWizard(event);
	const resident = event.locals.resident!;
	// Nothing can be asked for anyone: no draft is made.
	const people = await dosesByPerson(event, wizard);
	if (people !== null && !people.some((person) => person.doses > 0)) {
		return fail(400, { message: m.start_nothing_for_anyone() });
	}
	const key = String((await formOf(event.request)).get('start_key') ?? '');
	const application = await createDraft(db(), {
		municipalityCode: resident.municipalityCode,
		accountId: resident.accountId,
		kind: wizard.kind,
		startKey: isUuid(key) ? key : undefined,
		now: new Date()
	});
	if (application.kind !== wizard.kind) error(409, m.application_not_editable());
	await audit(event, { application, action: 'application.start', payload: { kind: wizard.kind } });
	// A repeated start lands where the draft is now, not back on its first question.
	if (application.status !== 'draft') redirect(303, `/applications/${application.id}`);
	redirect(303, stepPath(application.id, wizard.steps[0]!));
}

export async function wizardLoad(event: RequestEvent) {
	const { application, wizard, step } = await editable(event);
	const context = await wizardContext(event, application);
	const reachable = reachableStep(wizard, application, context, step);
	if (reachable !== step) redirect(303, stepPath(application.id, reachable));
	await audit(event, {
		application,
		action: 'application.view',
		subjectAtenaNumber: context.person?.atenaNumber,
		payload: { step }
	});
	const returnItems = returnItemsOf(application);
	const asked = new Set(returnItems.map((item) => item.step));
	const position = wizard.steps.indexOf(step);
	const view = step === 'check' ? null : wizard.view(step, context);
	// Values to show: the draft's answers, or what the city knows until the resident answers.
	const values: Record<string, string | string[]> = {};
	for (const field of view?.fields ?? []) {
		if (field.type === 'files' || (field.type === 'text' && field.secret)) continue;
		const saved = context.draft[field.name];
		const initial = 'initial' in field ? field.initial : undefined;
		values[field.name] = Array.isArray(saved)
			? saved.map(String)
			: saved !== undefined && saved !== null
				? String(saved)
				: (initial ?? '');
	}
	return {
		id: application.id,
		kind: application.kind,
		title: wizard.title(),
		status: application.status,
		step,
		steps: wizard.steps,
		position: position + 1,
		previous:
			application.status === 'returned'
				? 'check'
				: position > 0
					? wizard.steps[position - 1]!
					: null,
		view,
		values,
		attachments: view?.fields.some((field) => field.type === 'files')
			? context.attachments.map((file) => ({
					id: file.id,
					purpose: file.purpose,
					fileName: file.fileName,
					sizeBytes: file.sizeBytes,
					// After a 差し戻し, what the earlier version carried stays with it.
					removable:
						application.status === 'draft' ||
						(application.submitted_at !== null && file.createdAt > application.submitted_at)
				}))
			: [],
		summary:
			step === 'check'
				? wizard.summary(context).map((row) => ({
						...row,
						changeable: application.status === 'draft' || asked.has(row.step)
					}))
				: [],
		returnItems: returnItems.map((item) => ({
			...item,
			label: stepTitle(application.kind, item.step)
		}))
	};
}

async function readForm(request: Request): Promise<FormValues> {
	// No prototype: a field named "toString" or "__proto__" is a field like any other, not a
	// method of the object the values are collected in.
	const form: FormValues = Object.create(null);
	for (const [key, value] of (await formOf(request)).entries()) {
		if (typeof value !== 'string' || key === '__proto__') continue;
		// Control characters (a NUL, an escape) are nothing a person types; PostgreSQL cannot even
		// store a NUL. They are dropped before anything reads the value.
		// eslint-disable-next-line no-control-regex
		const text = value.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').slice(0, 500);
		const previous = Object.hasOwn(form, key) ? form[key] : undefined;
		form[key] = previous === undefined ? text : [...[previous].flat(), text].slice(0, 50);
	}
	return form;
}

/** Values to show again after an error: everything typed, except a 個人番号. */
function echo(form: FormValues): FormValues {
	const { my_number: _secret, ...rest } = form;
	return rest;
}

export async function wizardAction(event: RequestEvent) {
	const { application, wizard, step } = await editable(event);
	if (step === 'check') error(405);
	const context = await wizardContext(event, application);
	if (reachableStep(wizard, application, context, step) !== step) {
		redirect(303, stepPath(application.id, 'check'));
	}
	const form = await readForm(event.request);
	// A person reference not in the household was never offered: somebody else's, a child no
	// longer represented (18, DV flag), or made up. Treated like any other id that is not one's own.
	const person = typeof form.person === 'string' ? form.person : '';
	if (person && !context.household.some((candidate) => candidate.ref === person)) {
		await audit(event, {
			application,
			action: 'application.save',
			objectType: 'person_ref',
			objectId: person.slice(0, 64),
			result: 'denied',
			payload: { reason: 'not_represented', application_id: application.id }
		});
		error(404, m.error_not_found());
	}
	const parsed = wizard.parse(step, form, context);
	if (!parsed.ok) return fail(400, { values: echo(form), errors: parsed.errors });
	const values = { ...parsed.values };
	let subjectAtenaNumber: string | undefined;
	if (step === 'person' || values.person) {
		const person = context.household.find((candidate) => candidate.ref === values.person);
		subjectAtenaNumber = person?.atenaNumber;
		// Another person: answers about the previous one no longer apply.
		if (context.draft.person !== values.person) {
			for (const key of wizard.personDependent) values[key] = null;
		}
	}
	if (parsed.myNumber) {
		const key = config().myNumberIntakeKey;
		if (!key) error(503);
		const sealed = sealIntake(key, application.id, parsed.myNumber);
		const stored = await db()
			.selectNoFrom((eb) =>
				eb
					.fn<boolean>('put_mynumber_intake', [
						eb.val(application.id),
						eb.val(sealed.keyId),
						eb.val(sealed.ephemeralPublicKey),
						eb.val(sealed.nonce),
						eb.val(sealed.ciphertext),
						eb.val(sealed.authTag)
					])
					.as('stored')
			)
			.executeTakeFirst();
		if (!stored?.stored) error(409, m.application_not_editable());
		await audit(event, { application, action: 'mynumber.intake', payload: { step } });
	}
	if (!(await saveDraft(db(), application, values, { subjectAtenaNumber, now: new Date() }))) {
		error(409, m.application_not_editable());
	}
	await audit(event, {
		application,
		action: 'application.save',
		subjectAtenaNumber: subjectAtenaNumber,
		payload: { step }
	});
	// Changing an answer from "check your answers" goes back there (or to what the change made
	// necessary); a first pass goes on to the next question.
	if (wizard.missing(context) !== 'check') {
		redirect(303, stepPath(application.id, wizard.steps[wizard.steps.indexOf(step) + 1]!));
	}
	const draft = { ...context.draft, ...values };
	// Only another person changes what the city knows (their record, their address).
	const after =
		draft.person === context.draft.person
			? { ...context, draft }
			: await wizardContext(event, application, draft);
	redirect(303, stepPath(application.id, wizard.missing(after)));
}

const refusalText: Record<string, () => string> = {
	attachment_empty: m.error_attachment_empty,
	attachment_too_large: m.error_attachment_too_large,
	attachment_type: m.error_attachment_type,
	attachment_unreadable: m.error_attachment_unreadable,
	attachment_too_many: m.error_attachment_too_many,
	attachment_infected: m.error_attachment_infected,
	attachment_scan_unavailable: m.error_attachment_scan_unavailable
};

/** clamd when CLAMD_SOCKET is set; the embedded demo runs without one (config.ts). */
function uploadScanner(): Scanner | undefined {
	const socket = config().clamdSocket;
	if (!socket) return undefined;
	const address = clamdAddress(socket);
	return (bytes) => scanWithClamd(address, bytes);
}

export async function uploadAction(event: RequestEvent) {
	const { application, wizard, step } = await editable(event);
	const context = await wizardContext(event, application);
	const field = wizard.view(step, context).fields.find((candidate) => candidate.type === 'files');
	if (!field || field.type !== 'files') error(404, m.error_not_found());
	const data = await formOf(event.request);
	const purpose = String(data.get('purpose') ?? field.purposes[0]?.value ?? '');
	const files = data.getAll('attachment').filter((item): item is File => item instanceof File);
	const values = { purpose };
	if (!field.purposes.some((choice) => choice.value === purpose)) {
		return fail(400, { values, errors: { purpose: m.error_choose_purpose() } });
	}
	const chosen = files.filter((file) => file.size > 0 || file.name !== '');
	if (chosen.length === 0) {
		return fail(400, { values, errors: { attachment: m.error_attachment_choose() } });
	}
	const now = new Date();
	const scan = uploadScanner();
	for (const file of chosen) {
		try {
			const stored = await addAttachment(db(), application, {
				purpose,
				fileName: file.name,
				bytes: new Uint8Array(await file.arrayBuffer()),
				now,
				scan
			});
			await audit(event, {
				application,
				action: 'attachment.add',
				objectType: 'attachment',
				objectId: stored.id,
				payload: { application_id: application.id, purpose, bytes: stored.sizeBytes }
			});
		} catch (failure) {
			if (!(failure instanceof AttachmentError)) throw failure;
			const unavailable = failure.code === 'attachment_scan_unavailable';
			if (unavailable) {
				console.error(
					JSON.stringify({ level: 'error', event: 'antivirus_unavailable', error: failure.detail })
				);
			}
			await audit(event, {
				application,
				action: 'attachment.add',
				result: 'denied',
				// The signature name tells the auditor what was caught; the file itself is not kept.
				payload: {
					reason: failure.code,
					// (A long digit run is masked: the log refuses what could be a 個人番号.)
					...(failure.code === 'attachment_infected' && {
						signature: failure.detail?.replace(/[0-9]{12,}/g, '#')
					})
				}
			});
			return fail(unavailable ? 503 : 400, {
				values,
				errors: { attachment: `${file.name.slice(0, 80)}: ${refusalText[failure.code]!()}` }
			});
		}
	}
	redirect(303, stepPath(application.id, step));
}

export async function removeAction(event: RequestEvent) {
	const { application, step } = await editable(event);
	const id = String((await formOf(event.request)).get('attachment_id') ?? '');
	const removed = await removeAttachment(db(), application, id);
	await audit(event, {
		application,
		action: 'attachment.remove',
		objectType: 'attachment',
		objectId: id.slice(0, 64),
		result: removed ? 'ok' : 'denied',
		payload: { application_id: application.id }
	});
	redirect(303, stepPath(application.id, step));
}

/** A file of the applicant's own application, shown inline and never cached or sniffed. */
export async function attachmentDownload(event: RequestEvent): Promise<Response> {
	const application = await applicationOr404(event);
	const file = await attachmentContent(db(), application.id, event.params.attachment ?? '');
	await audit(event, {
		application,
		action: 'attachment.view',
		objectType: 'attachment',
		objectId: String(event.params.attachment ?? '').slice(0, 64),
		result: file ? 'ok' : 'denied',
		payload: { application_id: application.id }
	});
	if (!file) error(404, m.error_not_found());
	return new Response(new Uint8Array(file.content), {
		headers: {
			'content-type': file.content_type,
			'content-disposition': `inline; filename*=UTF-8''${encodeURIComponent(file.file_name)}`,
			'cache-control': 'private, no-store',
			'x-content-type-options': 'nosniff',
			'content-security-policy': "default-src 'none'; img-src 'self'; sandbox",
			'cross-origin-resource-policy': 'same-origin'
		}
	});
}

async function payloadFor(event: RequestEvent, application: Application) {
	const wizard = wizardOf(application);
	const context = await wizardContext(event, application);
	if (!context.person || wizard.missing(context) !== 'check') {
		throw new SubmissionError('not_editable');
	}
	return wizard.payload(context, application.id);
}

/**
 * Asked to sign what the application's status no longer allows: the person tapped again because
 * the answer to a signing that went through was lost, or signed in a tab opened before the
 * application was sent or withdrawn. They are told so (the page adds a link to the application),
 * not that their passkey failed; nothing is signed and nothing changes.
 */
function alreadyMoved(application: Application, kind: SignedTransition): Response | null {
	return residentMay(application.status as Status, kind)
		? null
		: json(movedBody(kind), { status: 409 });
}

const movedBody = (kind: SignedTransition) => ({
	message: kind === 'submit' ? m.application_not_editable() : m.withdraw_not_possible(),
	moved: true
});

type SignedTransition = 'submit' | 'withdraw';

/** Signing a submission or withdrawal: the payload is the server's, never the browser's. */
function signedTransition(kind: SignedTransition) {
	return {
		options: async (event: RequestEvent) => {
			const application = await applicationOr404(event);
			return (
				alreadyMoved(application, kind) ??
				signOptions(event, async () => ({
					kind,
					payload:
						kind === 'submit'
							? await refusingStale(() => payloadFor(event, application))
							: withdrawalPayload(application)
				}))
			);
		},
		verify: async (event: RequestEvent) => {
			const application = await applicationOr404(event);
			return (
				alreadyMoved(application, kind) ??
				signVerify(
					event,
					async (act, trx, expectedPayload) => {
						const input = {
							application,
							act,
							actor: actorOf(residentCaller(event.locals)),
							context: event.locals.audit,
							portalUrl: `${config().origin}/sign-in`,
							now: new Date()
						};
						try {
							await (kind === 'submit'
								? submitSigned(trx, { ...input, expectedPayload })
								: withdrawSigned(trx, input));
						} catch (failure) {
							// Its status moved on while the signature was checked (another tab won).
							if (failure instanceof SubmissionError && failure.code === 'not_editable')
								throw new AnswerWithoutAct(movedBody(kind), 409);
							throw refusal(failure);
						}
						return {
							redirect: `/applications/${application.id}?${kind === 'submit' ? 'submitted' : 'withdrawn'}=1`
						};
					},
					() =>
						kind === 'submit'
							? refusingStale(() => payloadFor(event, application))
							: Promise.resolve(undefined)
				)
			);
		}
	};
}

/** Signed something other than the current draft, or twice: refused like any bad ceremony. */
function refusal(failure: unknown): unknown {
	return failure instanceof SubmissionError
		? new AuthFailure('challenge_mismatch', failure.code)
		: failure;
}

async function refusingStale<T>(run: () => Promise<T>): Promise<T> {
	try {
		return await run();
	} catch (failure) {
		throw refusal(failure);
	}
}

export const submission = signedTransition('submit');
export const withdrawal = signedTransition('withdraw');

/** What happens next, and where to resume: for the application's own page. */
export async function applicationSummary(event: RequestEvent, application: Application) {
	const wizard = wizardOf(application);
	const editing = application.status === 'draft' || application.status === 'returned';
	const context = editing ? await wizardContext(event, application) : null;
	return {
		title: wizard.title(),
		nextSteps: wizard.nextSteps(),
		resume: context ? reachableStep(wizard, application, context, wizard.missing(context)) : null
	};
}
