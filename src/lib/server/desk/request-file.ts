// One 開示・訂正・利用停止請求 as the desk works it: its facts and clock, the disclosure package
// with what is withheld and why, and the doors that assemble the package, withhold or disclose a
// passage, and decide (with the documents the decision produces). Every view is audited; each
// change is audited by decisions.ts in its transaction.
import { actorOf, auditAs, requirePermission, type Caller } from '../audit/caller';
import type { Executor } from '../db';
import { categoryTitles, packageCategories, withholdingGrounds } from '../documents/disclosure';
import { isUuid } from '../ids';
import { tokyoDate } from '../time';
import { DoseChangeError, doseCorrection } from '../vaccinations/corrections';
import { dosesWithVaccine } from '../vaccinations/dose-query';
import { DoseEntryError } from '../vaccinations/records';
import { daysLeft } from './clock';
import {
	assemblePackage,
	decideCorrection,
	decideDisclosure,
	decideSuspension,
	DeskDecisionError,
	disclosureOutcome,
	loadPackage,
	setWithholding
} from './decisions';
import { deadlineRule } from './requests';

const permission = 'disclosure.handle';

async function requestOf(db: Executor, caller: Caller, id: string) {
	requirePermission(caller, permission);
	const request = isUuid(id)
		? await db
				.selectFrom('desk_request')
				.selectAll()
				.where('municipality_code', '=', caller.municipalityCode)
				.where('id', '=', id)
				.executeTakeFirst()
		: undefined;
	if (!request) throw new DeskDecisionError('not_found');
	return request;
}

/** The request with its subject, package, documents and (for a correction) the person's doses. */
export async function deskRequestFile(db: Executor, caller: Caller, input: { id: string }) {
	const request = await requestOf(db, caller, input.id);
	const today = tokyoDate(new Date());
	const [subject, pack, documents, doses, rule] = await Promise.all([
		db
			.selectFrom('resident')
			.select(['name_kanji', 'name_kana', 'birth_date'])
			.where('municipality_code', '=', caller.municipalityCode)
			.where('atena_number', '=', request.subject_atena_number)
			.executeTakeFirstOrThrow(),
		loadPackage(db, request.id),
		documentsOf(db, [request.decision_document_id, request.disclosure_document_id]),
		request.kind === 'correction'
			? dosesWithVaccine(db)
					.select(['d.id', 'v.name_ja', 'd.dose_code', 'd.administered_on', 'd.lot_number'])
					.where('d.municipality_code', '=', caller.municipalityCode)
					.where('d.atena_number', '=', request.subject_atena_number)
					.where('d.voided_at', 'is', null)
					.orderBy('d.administered_on')
					.execute()
			: [],
		deadlineRule(db, caller.municipalityCode)
	]);
	await auditAs(db, caller, {
		action: 'desk.view',
		subjectAtenaNumber: request.subject_atena_number,
		objectType: 'desk_request',
		objectId: request.id,
		result: 'ok'
	});
	const due = request.extended_deadline ?? request.deadline;
	return {
		deadlineRule: rule,
		request: {
			id: request.id,
			reference: request.reference,
			kind: request.kind,
			channel: request.channel,
			requesterType: request.requester_type,
			requester: request.requester_name,
			identity: request.identity_documents,
			what: request.what_requested,
			receivedOn: request.received_on,
			due,
			daysLeft: daysLeft(due, today),
			extended: request.extended_deadline !== null,
			status: request.status,
			decision: request.decision,
			decidedOn: request.decided_on,
			delivery: request.delivery,
			pages: request.pages,
			fee: request.fee_yen
		},
		subject: {
			atena: request.subject_atena_number,
			name: subject.name_kanji,
			kana: subject.name_kana,
			birthDate: subject.birth_date
		},
		package: pack
			? {
					assembledAt: pack.assembledAt.toISOString(),
					outcome: disclosureOutcome(pack.items, pack.withheld),
					categories: packageCategories
						.map((category) => ({
							category,
							title: categoryTitles[category],
							items: pack.items
								.filter((item) => item.category === category)
								.map((item) => ({
									...item,
									withheld: pack.withheld.filter((row) => row.itemKey === item.key)
								}))
						}))
						.filter((group) => group.items.length > 0),
					withheldCount: pack.withheld.length
				}
			: null,
		grounds: Object.entries(withholdingGrounds).map(([code, text]) => ({ code, text })),
		documents: documents.map((row) => ({
			id: row.id,
			kind: row.kind,
			number: row.document_number
		})),
		doses: doses.map((row) => ({
			id: String(row.id),
			label: `${row.name_ja} ${row.dose_code}（${row.administered_on}）${row.lot_number ?? ''}`
		}))
	};
}

/** The decision notice and disclosure copy the request produced (none before it is decided). */
async function documentsOf(db: Executor, ids: (string | null)[]) {
	const issued = ids.filter((id): id is string => id !== null);
	if (!issued.length) return [];
	return db
		.selectFrom('issued_document')
		.select(['id', 'kind', 'document_number'])
		.where('id', 'in', issued)
		.execute();
}

/** What decisions.ts needs of the caller and the request, resolved once per change. */
async function decisionInput(db: Executor, caller: Caller, id: string) {
	const request = await requestOf(db, caller, id);
	const now = new Date();
	return {
		request,
		input: {
			municipalityCode: caller.municipalityCode,
			requestId: request.id,
			actor: actorOf(caller),
			context: caller.context,
			now,
			today: tokyoDate(now)
		}
	};
}

/** Gathers (again) everything held about the person into the package to review. */
export async function assembleDeskPackage(db: Executor, caller: Caller, input: { id: string }) {
	const { input: decision } = await decisionInput(db, caller, input.id);
	return assemblePackage(db, decision);
}

/** Withholds a passage of the package on a ground, or (ground null) discloses it again. */
export async function withholdPassage(
	db: Executor,
	caller: Caller,
	input: { id: string; itemKey: string; field: string; ground: string | null; note: string }
) {
	const { input: decision } = await decisionInput(db, caller, input.id);
	await setWithholding(db, { ...decision, ...input });
}

/** The decision form as typed. */
export type DeskDecisionForm = {
	delivery: string;
	outcome: string;
	reason: string;
	dose: string;
	administeredOn: string;
	lot: string;
	manufacturer: string;
};

/**
 * Decides the request: a disclosure on its package; a correction accepted (the dose as corrected,
 * which a second person applies in the ledger) or rejected with its reason; a suspension either way.
 */
export async function decideDeskRequest(
	db: Executor,
	caller: Caller,
	input: { id: string; form: DeskDecisionForm }
): Promise<void> {
	const { request, input: decision } = await decisionInput(db, caller, input.id);
	const { form } = input;
	const accepted = form.outcome === 'accepted';
	if (request.kind !== 'disclosure' && !['accepted', 'rejected'].includes(form.outcome)) {
		throw new DeskDecisionError('outcome_required');
	}
	try {
		if (request.kind === 'disclosure') {
			await decideDisclosure(db, { ...decision, delivery: form.delivery });
		} else if (request.kind === 'correction') {
			await decideCorrection(db, {
				...decision,
				delivery: form.delivery,
				outcome: accepted
					? await correctionOf(db, caller, request.subject_atena_number, form)
					: { accepted: false, reason: form.reason }
			});
		} else {
			await decideSuspension(db, {
				...decision,
				delivery: form.delivery,
				accepted,
				reason: form.reason
			});
		}
	} catch (failure) {
		if (failure instanceof DoseEntryError || failure instanceof DoseChangeError) {
			throw new DeskDecisionError('dose_invalid');
		}
		throw failure;
	}
}

/** The corrected dose: what the desk typed over what the record says now. */
async function correctionOf(
	db: Executor,
	caller: Caller,
	atenaNumber: string,
	form: DeskDecisionForm
) {
	const dose = /^\d{1,18}$/.test(form.dose)
		? await db
				.selectFrom('vaccination_dose')
				.selectAll()
				.where('municipality_code', '=', caller.municipalityCode)
				.where('id', '=', form.dose)
				.where('atena_number', '=', atenaNumber)
				.executeTakeFirst()
		: undefined;
	if (!dose) throw new DeskDecisionError('dose_required');
	const parsed = doseCorrection.safeParse({
		dose: `${dose.vaccine_code}:${dose.dose_code}`,
		administeredOn: form.administeredOn || dose.administered_on,
		institution: dose.institution_code ?? '',
		lot: form.lot || (dose.lot_number ?? ''),
		manufacturer: form.manufacturer || (dose.manufacturer ?? '')
	});
	if (!parsed.success) throw new DeskDecisionError('dose_invalid');
	return { accepted: true as const, doseId: String(dose.id), form: parsed.data };
}
