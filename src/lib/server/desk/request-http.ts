// One 開示・訂正・利用停止請求 at the desk: its facts and clock, the disclosure package with what
// is withheld and why, and the decision (with the documents it produced). Every view is audited.
import { actorOf } from '../audit/caller';
import { staffCaller } from '../http/caller';
import { error, fail, redirect, type RequestEvent } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages';
import { recordAudit } from '../audit/record';
import { db } from '../db';
import { withholdingGrounds } from '../documents/disclosure';
import { tokyoDate } from '../time';
import { requirePermission } from '../staff/permissions';
import { DoseChangeError, doseCorrection } from '../vaccinations/corrections';
import { DoseEntryError } from '../vaccinations/records';
import {
	assemblePackage,
	decideCorrection,
	decideDisclosure,
	decideSuspension,
	DeskDecisionError,
	disclosureOutcome,
	loadPackage,
	setWithholding,
	type DeskDecisionRefusal
} from './decisions';
import { categoryTitles, packageCategories } from '../documents/disclosure';
import { daysLeft } from './clock';
import { deadlineRule } from './requests';
import { formOf } from '../http/form';
import { isUuid } from '../ids';

const refusals: Record<DeskDecisionRefusal, () => string> = {
	not_found: m.error_not_found,
	not_open: m.desk_error_not_open,
	wrong_kind: m.desk_error_not_open,
	no_package: m.desk_error_no_package,
	item_unknown: m.error_not_found,
	ground_required: m.desk_error_ground,
	delivery_invalid: m.desk_error_delivery,
	reason_required: m.desk_error_reason,
	dose_required: m.desk_error_dose
};

function desk(event: RequestEvent) {
	const staff = requirePermission(event.locals, 'disclosure.handle');
	return { staff, actor: actorOf(staffCaller(event.locals)) };
}

async function requestOr404(event: RequestEvent, municipalityCode: string) {
	const id = event.params.id ?? '';
	const request = isUuid(id)
		? await db()
				.selectFrom('desk_request')
				.selectAll()
				.where('municipality_code', '=', municipalityCode)
				.where('id', '=', id)
				.executeTakeFirst()
		: undefined;
	if (!request) error(404, m.error_not_found());
	return request;
}

export async function deskRequestLoad(event: RequestEvent) {
	const { staff, actor } = desk(event);
	const request = await requestOr404(event, staff.municipalityCode);
	const today = tokyoDate(new Date());
	const [subject, pack, documents, doses] = await Promise.all([
		db()
			.selectFrom('resident')
			.select(['name_kanji', 'name_kana', 'birth_date'])
			.where('municipality_code', '=', staff.municipalityCode)
			.where('atena_number', '=', request.subject_atena_number)
			.executeTakeFirstOrThrow(),
		loadPackage(db(), request.id),
		db()
			.selectFrom('issued_document')
			.select(['id', 'kind', 'document_number'])
			.where('id', 'in', [
				request.decision_document_id ?? '00000000-0000-0000-0000-000000000000',
				request.disclosure_document_id ?? '00000000-0000-0000-0000-000000000000'
			])
			.execute(),
		request.kind === 'correction'
			? db()
					.selectFrom('vaccination_dose as d')
					.innerJoin('vaccine as v', (join) =>
						join
							.onRef('v.municipality_code', '=', 'd.municipality_code')
							.onRef('v.vaccine_code', '=', 'd.vaccine_code')
					)
					.select(['d.id', 'v.name_ja', 'd.dose_code', 'd.administered_on', 'd.lot_number'])
					.where('d.municipality_code', '=', staff.municipalityCode)
					.where('d.atena_number', '=', request.subject_atena_number)
					.where('d.voided_at', 'is', null)
					.orderBy('d.administered_on')
					.execute()
			: []
	]);
	await recordAudit(db(), {
		municipalityCode: staff.municipalityCode,
		actor,
		context: event.locals.audit,
		action: 'desk.view',
		subjectAtenaNumber: request.subject_atena_number,
		objectType: 'desk_request',
		objectId: request.id,
		result: 'ok'
	});
	const due = request.extended_deadline ?? request.deadline;
	return {
		deadlineRule: await deadlineRule(db(), staff.municipalityCode),
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
		})),
		done: event.url.searchParams.get('done')
	};
}

/** The request the action is about and who acts, resolved once per action. */
async function target(event: RequestEvent) {
	const { staff, actor } = desk(event);
	const request = await requestOr404(event, staff.municipalityCode);
	const now = new Date();
	return {
		staff,
		request,
		input: {
			municipalityCode: staff.municipalityCode,
			requestId: request.id,
			actor,
			context: event.locals.audit,
			now,
			today: tokyoDate(now)
		}
	};
}

/** A refusal shown on the page with what was typed; anything else is a real error. */
function refused(failure: unknown, values?: Record<string, string>) {
	if (failure instanceof DeskDecisionError) {
		return fail(failure.code === 'not_found' ? 404 : 400, {
			values,
			message: refusals[failure.code]()
		});
	}
	// The dose rules (a date before birth, a bad lot …) refuse a correction as the ledger does.
	if (failure instanceof DoseEntryError || failure instanceof DoseChangeError) {
		return fail(400, { values, message: m.dose_change_invalid() });
	}
	throw failure;
}

export async function assembleAction(event: RequestEvent) {
	const { input } = await target(event);
	try {
		await assemblePackage(db(), input);
	} catch (failure) {
		return refused(failure);
	}
	redirect(303, `/staff/desk/${input.requestId}?done=assembled`);
}

export async function withholdAction(event: RequestEvent) {
	const { input } = await target(event);
	const form = await formOf(event.request);
	const text = (name: string) =>
		String(form.get(name) ?? '')
			.trim()
			.slice(0, 400);
	const disclose = form.get('disclose') === '1';
	try {
		await setWithholding(db(), {
			...input,
			itemKey: text('item'),
			field: text('field'),
			ground: disclose ? null : text('ground'),
			note: text('note')
		});
	} catch (failure) {
		return refused(failure);
	}
	redirect(
		303,
		`/staff/desk/${input.requestId}?done=${disclose ? 'disclosed' : 'withheld'}#package`
	);
}

export async function decideAction(event: RequestEvent) {
	const { staff, request, input } = await target(event);
	const form = await formOf(event.request);
	const text = (name: string) =>
		String(form.get(name) ?? '')
			.trim()
			.slice(0, 2000);
	const values = {
		delivery: text('delivery'),
		outcome: text('outcome'),
		reason: text('reason'),
		dose: text('dose'),
		administeredOn: text('administered_on'),
		lot: text('lot'),
		manufacturer: text('manufacturer')
	};
	const { delivery, reason } = values;
	const accepted = values.outcome === 'accepted';
	if (request.kind !== 'disclosure' && !['accepted', 'rejected'].includes(values.outcome)) {
		return fail(400, { values, message: m.desk_error_outcome() });
	}
	let correction: Parameters<typeof decideCorrection>[1]['outcome'] | undefined;
	if (request.kind === 'correction' && accepted) {
		const dose = /^\d{1,18}$/.test(values.dose)
			? await db()
					.selectFrom('vaccination_dose')
					.selectAll()
					.where('municipality_code', '=', staff.municipalityCode)
					.where('id', '=', values.dose)
					.where('atena_number', '=', request.subject_atena_number)
					.executeTakeFirst()
			: undefined;
		if (!dose) return fail(400, { values, message: m.desk_error_dose() });
		// The corrected values: what the desk typed over what the record says now.
		const parsed = doseCorrection.safeParse({
			dose: `${dose.vaccine_code}:${dose.dose_code}`,
			administeredOn: values.administeredOn || dose.administered_on,
			institution: dose.institution_code ?? '',
			lot: values.lot || (dose.lot_number ?? ''),
			manufacturer: values.manufacturer || (dose.manufacturer ?? '')
		});
		if (!parsed.success) return fail(400, { values, message: m.dose_change_invalid() });
		correction = { accepted: true, doseId: String(dose.id), form: parsed.data };
	}
	try {
		if (request.kind === 'disclosure') await decideDisclosure(db(), { ...input, delivery });
		else if (request.kind === 'correction')
			await decideCorrection(db(), {
				...input,
				delivery,
				outcome: correction ?? { accepted: false, reason }
			});
		else await decideSuspension(db(), { ...input, delivery, accepted, reason });
	} catch (failure) {
		return refused(failure, values);
	}
	redirect(303, `/staff/desk/${request.id}?done=decided`);
}
