// The applicant's doors (a resident, or a parent as 法定代理人): the list of their applications,
// starting a draft, each step of the four request wizards (answers, uploads, "check your
// answers"), their own files, one application's page, and what they sign to submit or withdraw.
// Every read and change is audited; an id that is not one's own (or a child's one represents
// now) is refused like one that does not exist, and the attempt is on record.
import { m } from '$lib/paraglide/messages';
import {
	auditAs,
	refuseUnknownId,
	requireResident,
	type Caller,
	type ResidentCaller
} from '../audit/caller';
import type { AuditAction } from '../audit/actions';
import { canonicalJson } from '../audit/chain';
import type { SignedAct } from '../auth/signing';
import { AuthFailure } from '../auth/failures';
import { config } from '../config';
import type { Executor } from '../db';
import { AccessRefused, DomainError } from '../errors';
import { isUuid } from '../ids';
import { lastServedMunicipality } from '../municipality/served';
import { sealIntake } from '../mynumber/intake';
import { reliefTimeline } from '../relief/timeline';
import { representedPeople, vaccinationRecord, type Person } from '../residents/household';
import { tokyoDate } from '../time';
import { clamdAddress, scanWithClamd, type Scanner } from './antivirus';
import {
	addAttachment,
	AttachmentError,
	attachmentContent,
	attachmentsOf,
	removeAttachment
} from './attachments';
import { kindSlugs, stepTitle, wizardFor } from './kinds';
import { residentMay, type Status } from './status';
import {
	createDraft,
	ownApplication,
	ownDraftRows,
	saveDraft,
	SubmissionError,
	submitSigned,
	transitionsOf,
	withdrawable,
	withdrawalPayload,
	withdrawSigned,
	type Application
} from './store';
import { dueDoseChoices, type FormValues, type Wizard, type WizardContext } from './wizard';

type Locale = 'ja' | 'en';

export type ApplicantRefusal =
	| 'not_editable'
	| 'nothing_for_anyone'
	| 'invalid'
	| 'intake_unavailable'
	| 'upload_refused'
	| 'scan_unavailable'
	| 'moved';

export class ApplicantError extends DomainError<ApplicantRefusal> {
	protected readonly messages = {
		not_editable: m.application_not_editable,
		nothing_for_anyone: m.start_nothing_for_anyone,
		invalid: m.error_summary_heading,
		intake_unavailable: m.error_my_number_intake_unavailable,
		upload_refused: m.error_summary_heading,
		scan_unavailable: m.error_attachment_scan_unavailable,
		/** Asked to sign what the status no longer allows (a lost answer, an old tab). */
		moved: m.application_not_editable
	};
	constructor(code: ApplicantRefusal, fields: Record<string, string> = {}, said?: string) {
		super(
			code,
			code === 'intake_unavailable' || code === 'scan_unavailable'
				? 503
				: code === 'not_editable' || code === 'moved'
					? 409
					: 400,
			fields,
			said
		);
	}
}

/** Where the route sends the browser next. */
export type Next = { redirect: string };

const stepPath = (id: string, step: string) => `/applications/${id}/${step}`;

function audit(
	db: Executor,
	caller: ResidentCaller,
	entry: {
		application: Application;
		action: AuditAction;
		objectType?: string;
		objectId?: string;
		subjectAtenaNumber?: string;
		result?: 'ok' | 'denied' | 'error';
		payload?: Record<string, unknown>;
	}
) {
	return auditAs(db, caller, {
		action: entry.action,
		subjectAtenaNumber:
			entry.subjectAtenaNumber ?? entry.application.subject_atena_number ?? undefined,
		objectType: entry.objectType ?? 'application',
		objectId: entry.objectId ?? entry.application.id,
		result: entry.result ?? 'ok',
		payload: entry.payload
	});
}

/** The applicant's own application, or a refusal with an audit entry (ids in URLs are tried). */
async function ownOr404(db: Executor, caller: ResidentCaller, id: string): Promise<Application> {
	const application = await ownApplication(db, caller, id, new Date());
	return (
		application ??
		refuseUnknownId(db, caller, {
			action: 'application.view',
			objectType: 'application',
			id,
			payload: { reason: 'not_own_or_not_represented' }
		})
	);
}

function wizardOf(application: Application): Wizard {
	const wizard = wizardFor(application.kind);
	if (!wizard) throw new AccessRefused('not_found');
	return wizard;
}

/**
 * The served city's fee comes from its cached settings once they are read; otherwise (another
 * city, the back office taking a submission in from the exchange first thing) it is read here.
 */
async function certificateFeeYen(db: Executor, municipalityCode: string): Promise<number> {
	const served = lastServedMunicipality();
	if (served?.municipality_code === municipalityCode) return served.certificate_fee_yen;
	const row = await db
		.selectFrom('municipality')
		.select('certificate_fee_yen')
		.where('municipality_code', '=', municipalityCode)
		.executeTakeFirstOrThrow();
	return row.certificate_fee_yen;
}

/** Everything a step needs to know about the applicant, the person and the draft. */
async function wizardContext(
	db: Executor,
	caller: ResidentCaller,
	application: Application,
	locale: Locale,
	draft = application.draft as Record<string, unknown>
): Promise<WizardContext> {
	const now = new Date();
	const people = await representedPeople(db, caller, now);
	const person = people.find((candidate) => candidate.ref === draft.person) ?? null;
	const [record, registered, attachments, feeYen] = await Promise.all([
		person ? vaccinationRecord(db, application.municipality_code, person, locale, now) : null,
		person
			? db
					.selectFrom('resident')
					.select(['postal_code', 'address', 'name_romaji', 'resident_type'])
					.where('municipality_code', '=', application.municipality_code)
					.where('atena_number', '=', person.atenaNumber)
					.executeTakeFirst()
			: undefined,
		attachmentsOf(db, application.id),
		certificateFeeYen(db, application.municipality_code)
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
		// Read when a step asks (relief's number step), not for a payload the back office rebuilds.
		get myNumberIntake() {
			return config().myNumberIntakeKey !== undefined;
		},
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

/** The application and step a change is made to; one no longer editable opens its own page. */
async function editable(
	db: Executor,
	caller: ResidentCaller,
	input: { id: string; step: string }
): Promise<{ application: Application; wizard: Wizard; step: string } | Next> {
	const application = await ownOr404(db, caller, input.id);
	const wizard = wizardOf(application);
	if (!wizard.steps.includes(input.step)) throw new AccessRefused('not_found');
	if (application.status !== 'draft' && application.status !== 'returned') {
		return { redirect: `/applications/${application.id}` };
	}
	return { application, wizard, step: input.step };
}

/**
 * The applicant's open drafts, and their children's, newest first (what they have sent is
 * published to the portal zone: sent.ts).
 * @audit none — rows of the applications list, whose view sent.ts reports with the row count.
 */
export async function ownDrafts(db: Executor, caller: Caller) {
	requireResident(caller);
	const rows = await ownDraftRows(db, caller, new Date());
	return rows.map((row) => ({
		id: row.id,
		kind: row.kind,
		status: row.status,
		reference: row.reference,
		updatedAt: row.updated_at.toISOString()
	}));
}

/**
 * For a request about a dose (予診票の再発行, 実施依頼書): who in the household has a dose that can
 * be asked for now, and who has none, said before a draft exists (issue 25: the wizard refused
 * only at step 2 and left an empty 下書き each time).
 */
async function dosesByPerson(db: Executor, caller: ResidentCaller, wizard: Wizard, locale: Locale) {
	if (!wizard.steps.includes('dose')) return null;
	const people = await representedPeople(db, caller, new Date());
	return Promise.all(
		people.map(async (person: Person) => ({
			name: person.nameKanji,
			doses: dueDoseChoices(
				await vaccinationRecord(db, caller.municipalityCode, person, locale, new Date())
			).length
		}))
	);
}

function startingWizard(slug: string): Wizard {
	const kind = kindSlugs[slug as keyof typeof kindSlugs];
	const wizard = kind ? wizardFor(kind) : null;
	if (!wizard) throw new AccessRefused('not_found');
	return wizard;
}

/**
 * The start page of a request: what it is, and for whom nothing can be asked now.
 * @audit none — counts of doses due per person of the household, whose dashboard shows them.
 */
export async function startPage(
	db: Executor,
	caller: Caller,
	input: { slug: string; locale: Locale }
) {
	requireResident(caller);
	const wizard = startingWizard(input.slug);
	const people = await dosesByPerson(db, caller, wizard, input.locale);
	return {
		slug: input.slug,
		title: wizard.title(),
		intro: wizard.intro(),
		startKey: crypto.randomUUID(),
		nothingFor: (people ?? []).filter((person) => person.doses === 0).map((person) => person.name),
		canStart: people === null || people.some((person) => person.doses > 0)
	};
}

/** A draft started (once per page: a repeated start lands where that draft is now). */
export async function startApplication(
	db: Executor,
	caller: Caller,
	input: { slug: string; startKey: string; locale: Locale }
): Promise<Next> {
	requireResident(caller);
	const wizard = startingWizard(input.slug);
	// Nothing can be asked for anyone: no draft is made.
	const people = await dosesByPerson(db, caller, wizard, input.locale);
	if (people !== null && !people.some((person) => person.doses > 0)) {
		throw new ApplicantError('nothing_for_anyone');
	}
	const application = await createDraft(db, {
		municipalityCode: caller.municipalityCode,
		accountId: caller.id,
		kind: wizard.kind,
		startKey: isUuid(input.startKey) ? input.startKey : undefined,
		now: new Date()
	});
	if (application.kind !== wizard.kind) throw new ApplicantError('not_editable');
	await audit(db, caller, {
		application,
		action: 'application.start',
		payload: { kind: wizard.kind }
	});
	if (application.status !== 'draft') return { redirect: `/applications/${application.id}` };
	return { redirect: stepPath(application.id, wizard.steps[0]!) };
}

/** One step of the wizard with the values to show, or where to go instead. */
export async function wizardStep(
	db: Executor,
	caller: Caller,
	input: { id: string; step: string; locale: Locale }
) {
	requireResident(caller);
	const target = await editable(db, caller, input);
	if ('redirect' in target) return target;
	const { application, wizard, step } = target;
	const context = await wizardContext(db, caller, application, input.locale);
	const reachable = reachableStep(wizard, application, context, step);
	if (reachable !== step) return { redirect: stepPath(application.id, reachable) };
	await audit(db, caller, {
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
		redirect: null,
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

/** Values to show again after an error: everything typed, except a 個人番号. */
export function echo(form: FormValues): FormValues {
	const { my_number: _secret, ...rest } = form;
	return rest;
}

/** A step's answers saved (a 個人番号 sealed to the back office); where to go next. */
export async function answerStep(
	db: Executor,
	caller: Caller,
	input: { id: string; step: string; form: FormValues; locale: Locale }
): Promise<Next> {
	requireResident(caller);
	const target = await editable(db, caller, input);
	if ('redirect' in target) return target;
	const { application, wizard, step } = target;
	if (step === 'check') throw new AccessRefused('not_found');
	const context = await wizardContext(db, caller, application, input.locale);
	if (reachableStep(wizard, application, context, step) !== step) {
		return { redirect: stepPath(application.id, 'check') };
	}
	const { form } = input;
	// A person reference not in the household was never offered: somebody else's, a child no
	// longer represented (18, DV flag), or made up. Treated like any other id that is not one's own.
	const person = typeof form.person === 'string' ? form.person : '';
	if (person && !context.household.some((candidate) => candidate.ref === person)) {
		await audit(db, caller, {
			application,
			action: 'application.save',
			objectType: 'person_ref',
			objectId: person.slice(0, 64),
			result: 'denied',
			payload: { reason: 'not_represented', application_id: application.id }
		});
		throw new AccessRefused('not_found');
	}
	const parsed = wizard.parse(step, form, context);
	if (!parsed.ok) throw new ApplicantError('invalid', parsed.errors);
	const values = { ...parsed.values };
	let subjectAtenaNumber: string | undefined;
	if (step === 'person' || values.person) {
		const chosen = context.household.find((candidate) => candidate.ref === values.person);
		subjectAtenaNumber = chosen?.atenaNumber;
		// Another person: answers about the previous one no longer apply.
		if (context.draft.person !== values.person) {
			for (const key of wizard.personDependent) values[key] = null;
		}
	}
	if (parsed.myNumber) {
		const key = config().myNumberIntakeKey;
		if (!key) throw new ApplicantError('intake_unavailable');
		const sealed = sealIntake(key, application.id, parsed.myNumber);
		const stored = await db
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
		if (!stored?.stored) throw new ApplicantError('not_editable');
		await audit(db, caller, { application, action: 'mynumber.intake', payload: { step } });
	}
	if (!(await saveDraft(db, application, values, { subjectAtenaNumber, now: new Date() }))) {
		throw new ApplicantError('not_editable');
	}
	await audit(db, caller, {
		application,
		action: 'application.save',
		subjectAtenaNumber,
		payload: { step }
	});
	// Changing an answer from "check your answers" goes back there (or to what the change made
	// necessary); a first pass goes on to the next question.
	if (wizard.missing(context) !== 'check') {
		return { redirect: stepPath(application.id, wizard.steps[wizard.steps.indexOf(step) + 1]!) };
	}
	const draft = { ...context.draft, ...values };
	// Only another person changes what the city knows (their record, their address).
	const after =
		draft.person === context.draft.person
			? { ...context, draft }
			: await wizardContext(db, caller, application, input.locale, draft);
	return { redirect: stepPath(application.id, wizard.missing(after)) };
}

const uploadRefusalText: Record<AttachmentError['code'], () => string> = {
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

/** Files added to the step's evidence, each scanned and audited (a refused one too). */
export async function uploadToStep(
	db: Executor,
	caller: Caller,
	input: { id: string; step: string; purpose: string | null; files: File[]; locale: Locale }
): Promise<Next> {
	requireResident(caller);
	const target = await editable(db, caller, input);
	if ('redirect' in target) return target;
	const { application, wizard, step } = target;
	const context = await wizardContext(db, caller, application, input.locale);
	const field = wizard.view(step, context).fields.find((candidate) => candidate.type === 'files');
	if (!field || field.type !== 'files') throw new AccessRefused('not_found');
	const purpose = input.purpose ?? field.purposes[0]?.value ?? '';
	if (!field.purposes.some((choice) => choice.value === purpose)) {
		throw new ApplicantError('upload_refused', { purpose: m.error_choose_purpose() });
	}
	const chosen = input.files.filter((file) => file.size > 0 || file.name !== '');
	if (chosen.length === 0) {
		throw new ApplicantError('upload_refused', { attachment: m.error_attachment_choose() });
	}
	const now = new Date();
	const scan = uploadScanner();
	for (const file of chosen) {
		try {
			const stored = await addAttachment(db, application, {
				purpose,
				fileName: file.name,
				bytes: new Uint8Array(await file.arrayBuffer()),
				now,
				scan
			});
			await audit(db, caller, {
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
			await audit(db, caller, {
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
			throw new ApplicantError(unavailable ? 'scan_unavailable' : 'upload_refused', {
				attachment: `${file.name.slice(0, 80)}: ${uploadRefusalText[failure.code]()}`
			});
		}
	}
	return { redirect: stepPath(application.id, step) };
}

export async function removeFromStep(
	db: Executor,
	caller: Caller,
	input: { id: string; step: string; attachmentId: string }
): Promise<Next> {
	requireResident(caller);
	const target = await editable(db, caller, input);
	if ('redirect' in target) return target;
	const { application, step } = target;
	const removed = await removeAttachment(db, application, input.attachmentId);
	await audit(db, caller, {
		application,
		action: 'attachment.remove',
		objectType: 'attachment',
		objectId: input.attachmentId.slice(0, 64),
		result: removed ? 'ok' : 'denied',
		payload: { application_id: application.id }
	});
	return { redirect: stepPath(application.id, step) };
}

/** A file of the applicant's own application (the route shows it inline, never cached). */
export async function ownAttachment(
	db: Executor,
	caller: Caller,
	input: { id: string; attachmentId: string }
) {
	requireResident(caller);
	const application = await ownOr404(db, caller, input.id);
	const file = await attachmentContent(db, application.id, input.attachmentId);
	await audit(db, caller, {
		application,
		action: 'attachment.view',
		objectType: 'attachment',
		objectId: input.attachmentId.slice(0, 64),
		result: file ? 'ok' : 'denied',
		payload: { application_id: application.id }
	});
	if (!file) throw new AccessRefused('not_found');
	return file;
}

/**
 * One application's page: its status and history, what happens next, where to resume, and for
 * a relief claim its stages as the resident may see them.
 */
export async function applicationPage(
	db: Executor,
	caller: Caller,
	input: { id: string; locale: Locale }
) {
	requireResident(caller);
	const application = await ownOr404(db, caller, input.id);
	await audit(db, caller, { application, action: 'application.view' });
	const wizard = wizardOf(application);
	const editing = application.status === 'draft' || application.status === 'returned';
	const [history, open, context, relief] = await Promise.all([
		transitionsOf(db, application.id),
		withdrawable(db, application),
		editing ? wizardContext(db, caller, application, input.locale) : null,
		application.kind === 'relief' ? reliefTimeline(db, application.id) : null
	]);
	return {
		application,
		open,
		relief,
		title: wizard.title(),
		nextSteps: wizard.nextSteps(),
		resume: context ? reachableStep(wizard, application, context, wizard.missing(context)) : null,
		returnItems:
			application.status === 'returned'
				? returnItemsOf(application).map((item) => ({
						...item,
						label: stepTitle(application.kind, item.step)
					}))
				: [],
		history: history.map((row) => ({
			to: row.to_status,
			by: row.actor_type,
			reason: row.reason,
			items: Array.isArray(row.items) ? row.items.length : 0,
			at: row.at.toISOString()
		}))
	};
}

export type SignedTransition = 'submit' | 'withdraw';

/** Signed something other than the current draft, or twice: refused like any bad ceremony. */
function asCeremonyFailure(failure: unknown): unknown {
	return failure instanceof SubmissionError
		? new AuthFailure('challenge_mismatch', failure.code)
		: failure;
}

/** The application has moved on (sent or withdrawn already, or on its way): nothing to sign. */
export const movedOn = (kind: SignedTransition) =>
	new ApplicantError(
		'moved',
		{},
		kind === 'submit' ? m.application_not_editable() : m.withdraw_not_possible()
	);

/**
 * What the applicant signs to submit or withdraw: built by the server from the application as it
 * stands, never taken from the browser. Asked where the status no longer allows it (the answer to
 * a signing that went through was lost, a tab opened before), the applicant is told so.
 * @audit none — the applicant's own application, shown to them; the signature is audited.
 */
export async function transitionToSign(
	db: Executor,
	caller: Caller,
	input: { id: string; kind: SignedTransition; locale: Locale }
): Promise<unknown> {
	requireResident(caller);
	const application = await ownOr404(db, caller, input.id);
	if (!residentMay(application.status as Status, input.kind)) {
		throw movedOn(input.kind);
	}
	if (input.kind === 'withdraw') return withdrawalPayload(application);
	try {
		const wizard = wizardOf(application);
		const context = await wizardContext(db, caller, application, input.locale);
		if (!context.person || wizard.missing(context) !== 'check') {
			throw new SubmissionError('not_editable');
		}
		return wizard.payload(context, application.id);
	} catch (failure) {
		throw asCeremonyFailure(failure);
	}
}

/**
 * A submission or withdrawal the back office takes in from the portal (issue 27), in the
 * transaction that stores its signed act (`trx`; the act was verified again inside). Which
 * application it is for is read from what was signed, never from the portal's item; it must be
 * the caller's own, and what was signed must be exactly what this application, as it stands here,
 * asks to sign (the draft, the person the account represents today). Answers 'moved' when the
 * application has moved on since it was signed (withdrawn from another tab, a second submission
 * of the same draft, a case moved by staff): nothing is done. Throws SubmissionError
 * ('payload_mismatch') when what was signed is not this application's act.
 */
export async function takeInTransition(
	trx: Executor,
	caller: Caller,
	input: { kind: SignedTransition; act: SignedAct; portalUrl: string; now: Date }
): Promise<'applied' | 'moved'> {
	requireResident(caller);
	const { act, kind, now } = input;
	const signed = signedObject(act.payload);
	const id = signed?.application_id;
	if (typeof id !== 'string' || !isUuid(id)) throw new SubmissionError('payload_mismatch');
	const application = await ownApplication(trx, caller, id, now);
	if (!application) throw new SubmissionError('payload_mismatch');
	if (!residentMay(application.status as Status, kind)) return 'moved';
	let expected: unknown;
	if (kind === 'withdraw') {
		// What a withdrawal signs names the state it was signed in: this application's withdrawal
		// in an earlier state is a move; anything else (a submission relabelled, another
		// application's) is not a withdrawal of it.
		const current = withdrawalPayload(application);
		const inTodaysState = { ...signed, status: current.status, version: current.version };
		if (canonicalJson(inTodaysState) !== canonicalJson(current))
			throw new SubmissionError('payload_mismatch');
		if (act.payload !== canonicalJson(current)) return 'moved';
	} else {
		const wizard = wizardFor(application.kind);
		if (!wizard) throw new SubmissionError('payload_mismatch');
		// The payload is the same in either language; the record's words are not part of it.
		const context = await wizardContext(trx, caller, application, 'ja');
		if (!context.person || wizard.missing(context) !== 'check') return 'moved';
		expected = wizard.payload(context, application.id);
	}
	const change = {
		application,
		act,
		actor: { type: 'resident' as const, id: caller.id, role: 'resident' as const },
		context: caller.context ?? {
			requestId: 'exchange',
			ip: null,
			userAgent: null,
			sessionHash: null
		},
		portalUrl: input.portalUrl,
		now
	};
	try {
		await (kind === 'submit'
			? submitSigned(trx, { ...change, expectedPayload: expected })
			: withdrawSigned(trx, change));
	} catch (failure) {
		// Its status moved on in between (another item of the same batch got there first).
		if (failure instanceof SubmissionError && failure.code === 'not_editable') return 'moved';
		throw failure;
	}
	return 'applied';
}

function signedObject(payload: string): Record<string, unknown> | null {
	try {
		const value: unknown = JSON.parse(payload);
		return value && typeof value === 'object' && !Array.isArray(value)
			? (value as Record<string, unknown>)
			: null;
	} catch {
		return null;
	}
}

/** Where the applicant is sent once a submission or withdrawal has been sent to the city. */
export const afterTransition = (id: string, kind: SignedTransition): Next => ({
	redirect: `/applications/${id}?${kind === 'submit' ? 'submitted' : 'withdrawn'}=1`
});
