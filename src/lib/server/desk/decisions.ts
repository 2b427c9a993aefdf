// Deciding a 開示・訂正・利用停止請求 (DOMAIN.md P5, issue 8 build items 3–5).
//
// Disclosure: the officer assembles the package (a snapshot, so the decision is made on what was
// reviewed), withholds items or passages with their ground under 第78条, and decides in one step:
// 全部開示 when nothing is withheld, 不開示 when everything is, 部分開示 otherwise. The decision
// notice and the disclosure copy (withheld text never written into it) are registered; the copy
// fee follows the city's settings (paper copies per page; nothing for a download).
// Correction: an accepted 訂正請求 becomes a pending correction of the dose in the ledger, which a
// second person applies like any other (ACC-1). Suspension: an accepted 利用停止請求 marks the
// person's records as not to be used; ordinary staff views stop showing them (use-suspension.ts).
// Delivery: at the desk, by post, or — for a request made online — in the portal, where the
// documents can be downloaded for 30 days (each download audited).
import { PDFDocument } from 'pdf-lib';
import { recordAudit, type Actor, type AuditContext } from '../audit/record';
import type { Executor } from '../db';
import { japaneseDate } from '../documents/dates';
import {
	renderDisclosure,
	withholdingGrounds,
	type Withholding,
	type WithholdingGround
} from '../documents/disclosure';
import { renderNotice, type NoticeKind } from '../documents/notice';
import { nextDocumentNumber, registerDocument, type DocumentKind } from '../documents/registry';
import { requestDoseChange, type DoseCorrection } from '../vaccinations/corrections';
import { gatherPackage } from './package';
import { categoryTitles, type PackageItem } from '../documents/disclosure';
import { isUuid } from '../ids';
import { allowedFrom } from '../workflow/machine';
import { deskMachine, type DeskAction } from './machine';
import { DomainError } from '../errors';
import { m } from '$lib/paraglide/messages';

export const deliveryMethods = ['desk', 'mail', 'portal'] as const;
export type Delivery = (typeof deliveryMethods)[number];
/** How long a disclosure delivered in the portal can be downloaded. */
export const portalDownloadDays = 30;

export type DeskDecisionRefusal =
	| 'not_found'
	| 'not_open'
	| 'wrong_kind'
	| 'no_package'
	| 'item_unknown'
	| 'ground_required'
	| 'delivery_invalid'
	| 'reason_required'
	| 'dose_required'
	| 'dose_invalid'
	| 'outcome_required';

export class DeskDecisionError extends DomainError<DeskDecisionRefusal> {
	protected readonly messages = {
		not_found: m.error_not_found,
		not_open: m.desk_error_not_open,
		wrong_kind: m.desk_error_not_open,
		no_package: m.desk_error_no_package,
		item_unknown: m.error_not_found,
		ground_required: m.desk_error_ground,
		delivery_invalid: m.desk_error_delivery,
		reason_required: m.desk_error_reason,
		dose_required: m.desk_error_dose,
		// The dose rules (a date before birth, a bad lot …) refuse a correction as the ledger does.
		dose_invalid: m.dose_change_invalid,
		outcome_required: m.desk_error_outcome
	};
	constructor(code: DeskDecisionRefusal) {
		super(code, code === 'not_found' ? 404 : 400);
	}
}

type Input = {
	municipalityCode: string;
	requestId: string;
	actor: Actor;
	context?: AuditContext;
	now: Date;
};

/** The request, locked, if the machine lets `action` be taken on it now. */
async function openRequest(db: Executor, input: Input, action: DeskAction) {
	const request = isUuid(input.requestId)
		? await db
				.selectFrom('desk_request')
				.selectAll()
				.where('municipality_code', '=', input.municipalityCode)
				.where('id', '=', input.requestId)
				.forUpdate()
				.executeTakeFirst()
		: undefined;
	if (!request) throw new DeskDecisionError('not_found');
	if (!allowedFrom(deskMachine, deskMachine.actions[action], request.status)) {
		throw new DeskDecisionError('not_open');
	}
	if (kindOf[action] && request.kind !== kindOf[action]) throw new DeskDecisionError('wrong_kind');
	return request;
}

/** The kind of request an action is for (extending a deadline is for any). */
const kindOf: Partial<Record<DeskAction, string>> = {
	assemble: 'disclosure',
	withhold: 'disclosure',
	decide_disclosure: 'disclosure',
	decide_correction: 'correction',
	decide_suspension: 'suspension'
};

const audited = async <T>(
	db: Executor,
	input: Input,
	machineAction: DeskAction,
	run: (trx: Executor) => Promise<{ result: T; atena: string; payload: Record<string, unknown> }>
): Promise<T> => {
	const action = deskMachine.actions[machineAction].audit;
	let atena: string | undefined;
	try {
		return await db.transaction().execute(async (trx) => {
			const outcome = await run(trx);
			atena = outcome.atena;
			await recordAudit(trx, {
				municipalityCode: input.municipalityCode,
				actor: input.actor,
				context: input.context,
				action,
				subjectAtenaNumber: outcome.atena,
				objectType: 'desk_request',
				objectId: input.requestId,
				result: 'ok',
				payload: outcome.payload
			});
			return outcome.result;
		});
	} catch (failure) {
		if (failure instanceof DeskDecisionError) {
			await recordAudit(db, {
				municipalityCode: input.municipalityCode,
				actor: input.actor,
				context: input.context,
				action,
				subjectAtenaNumber: atena,
				objectType: 'desk_request',
				objectId: input.requestId.slice(0, 64),
				result: 'denied',
				payload: { refused: failure.code }
			});
		}
		throw failure;
	}
};

/** Gathers (again) everything held about the person; withholdings of items still there stay. */
export async function assemblePackage(db: Executor, input: Input): Promise<number> {
	return audited(db, input, 'assemble', async (trx) => {
		const request = await openRequest(trx, input, 'assemble');
		const items = await gatherPackage(trx, {
			municipalityCode: input.municipalityCode,
			atenaNumber: request.subject_atena_number,
			excludeRequestId: request.id
		});
		await trx
			.insertInto('disclosure_package')
			.values({
				request_id: request.id,
				assembled_at: input.now,
				assembled_by: input.actor.id,
				items: JSON.stringify(items)
			})
			.onConflict((conflict) =>
				conflict.column('request_id').doUpdateSet({
					assembled_at: input.now,
					assembled_by: input.actor.id,
					items: JSON.stringify(items)
				})
			)
			.execute();
		const keys = items.map((item) => item.key);
		await trx
			.deleteFrom('disclosure_withholding')
			.where('request_id', '=', request.id)
			.where('item_key', 'not in', keys.length ? keys : [''])
			.execute();
		const counts: Record<string, number> = {};
		for (const item of items) counts[item.category] = (counts[item.category] ?? 0) + 1;
		return { result: items.length, atena: request.subject_atena_number, payload: { counts } };
	});
}

export async function loadPackage(db: Executor, requestId: string) {
	const row = await db
		.selectFrom('disclosure_package')
		.selectAll()
		.where('request_id', '=', requestId)
		.executeTakeFirst();
	if (!row) return null;
	const withheld = await db
		.selectFrom('disclosure_withholding')
		.selectAll()
		.where('request_id', '=', requestId)
		.orderBy('withheld_at')
		.execute();
	return {
		assembledAt: row.assembled_at,
		items: row.items as unknown as PackageItem[],
		withheld: withheld.map((entry) => ({
			itemKey: entry.item_key,
			field: entry.field,
			ground: entry.ground as WithholdingGround,
			note: entry.note
		}))
	};
}

/** Withholds an item (field '') or one passage of it; `ground: null` discloses it again. */
export async function setWithholding(
	db: Executor,
	input: Input & { itemKey: string; field: string; ground: string | null; note?: string }
): Promise<void> {
	return audited(db, input, 'withhold', async (trx) => {
		const request = await openRequest(trx, input, 'withhold');
		const pack = await loadPackage(trx, request.id);
		if (!pack) throw new DeskDecisionError('no_package');
		const item = pack.items.find((candidate) => candidate.key === input.itemKey);
		if (!item || (input.field !== '' && !item.fields.some((field) => field.label === input.field)))
			throw new DeskDecisionError('item_unknown');
		if (input.ground === null) {
			await trx
				.deleteFrom('disclosure_withholding')
				.where('request_id', '=', request.id)
				.where('item_key', '=', input.itemKey)
				.where('field', '=', input.field)
				.execute();
		} else {
			if (!(input.ground in withholdingGrounds)) throw new DeskDecisionError('ground_required');
			const values = {
				ground: input.ground,
				note: input.note?.trim().slice(0, 400) || null,
				withheld_by: input.actor.id,
				withheld_at: input.now
			};
			await trx
				.insertInto('disclosure_withholding')
				.values({ request_id: request.id, item_key: input.itemKey, field: input.field, ...values })
				.onConflict((conflict) =>
					conflict.columns(['request_id', 'item_key', 'field']).doUpdateSet(values)
				)
				.execute();
		}
		// What was withheld and why — never the withheld text itself.
		return {
			result: undefined,
			atena: request.subject_atena_number,
			payload: { item: input.itemKey, field: input.field, ground: input.ground }
		};
	});
}

/** 全部 / 部分 / 不開示 from what is withheld. */
export function disclosureOutcome(
	items: PackageItem[],
	withheld: Withholding[]
): 'full' | 'partial' | 'none' {
	if (withheld.length === 0) return 'full';
	const whole = new Set(withheld.filter((row) => row.field === '').map((row) => row.itemKey));
	return items.every((item) => whole.has(item.key)) ? 'none' : 'partial';
}

/** Copy fees: the city's fee per request plus, for paper, its price per page. */
export function disclosureFee(
	city: { disclosure_fee_yen: number; disclosure_copy_fee_yen: number },
	delivery: Delivery,
	pages: number
): number {
	return (
		city.disclosure_fee_yen + (delivery === 'portal' ? 0 : pages * city.disclosure_copy_fee_yen)
	);
}

const deliveryText: Record<Delivery, string> = {
	desk: '窓口での写しの交付',
	mail: '写しの送付（郵送）',
	portal: 'オンライン（ポータルからのダウンロード、30日間）'
};

type Decided = { decision: string; documents: string[] };

export async function decideDisclosure(
	db: Executor,
	input: Input & { delivery: string; today: string }
): Promise<Decided> {
	return audited(db, input, 'decide_disclosure', async (trx) => {
		const request = await openRequest(trx, input, 'decide_disclosure');
		const delivery = checkDelivery(input.delivery, request.channel);
		const pack = await loadPackage(trx, request.id);
		if (!pack) throw new DeskDecisionError('no_package');
		const outcome = disclosureOutcome(pack.items, pack.withheld);
		const known = await facts(trx, request);
		const { city, subject } = known;
		let disclosureId: string | null = null;
		let pages = 0;
		if (outcome !== 'none') {
			const documentNumber = await nextDocumentNumber(trx, 'disclosure', input.today);
			const attachmentIds = pack.items
				.filter((item) => item.category === 'attachments')
				.map((item) => item.key.slice('attachment:'.length));
			const files = attachmentIds.length
				? await trx
						.selectFrom('attachment')
						.select(['id', 'content_type', 'content'])
						.where('id', 'in', attachmentIds)
						.execute()
				: [];
			const bytes = await renderDisclosure({
				municipality: city,
				documentNumber,
				issuedOn: input.today,
				requestReference: request.reference,
				subjectName: subject.name_kanji,
				items: pack.items,
				withheld: pack.withheld,
				files: files.map((file) => ({
					key: `attachment:${file.id}`,
					contentType: file.content_type,
					bytes: new Uint8Array(file.content)
				}))
			});
			pages = (await PDFDocument.load(bytes)).getPageCount();
			disclosureId = await register(trx, input, request, delivery, {
				kind: 'disclosure',
				documentNumber,
				bytes,
				fileName: `kaiji-${documentNumber}.pdf`
			});
		}
		const fee = disclosureFee(city, delivery, pages);
		const grounds = [...new Set(pack.withheld.map((row) => row.ground))];
		const withheldList = pack.withheld.map((row) => {
			const item = pack.items.find((candidate) => candidate.key === row.itemKey);
			const where = item ? categoryTitles[item.category].split(' / ')[0] : row.itemKey;
			return `${where}${row.field ? `（${row.field.split(' / ')[0]}）` : '（項目全体）'}: ${withholdingGrounds[row.ground]}`;
		});
		const categories = [...new Set(pack.items.map((item) => item.category))].map(
			(category) => categoryTitles[category].split(' / ')[0]
		);
		const noticeId = await notice(trx, input, request, delivery, known, {
			kind: `disclosure_${outcome}` as NoticeKind,
			details: [
				['請求の受付番号', request.reference],
				['請求を受け付けた日', japaneseDate(request.received_on)],
				[
					'開示請求に係る保有個人情報',
					`予防接種に関する事務で保有する本人の情報（${categories.join('、')}）`
				],
				...(outcome === 'none'
					? []
					: ([
							['開示の実施の方法', deliveryText[delivery]],
							['写しの枚数', `${pages}枚`],
							['費用', fee === 0 ? '無料' : `${fee.toLocaleString('ja-JP')}円`]
						] as [string, string][])),
				...(withheldList.length
					? ([['開示しない部分', withheldList.join('\n')]] as [string, string][])
					: [])
			],
			reason: grounds.length ? grounds.map((ground) => withholdingGrounds[ground]).join('、') : null
		});
		await finish(trx, input, request.id, {
			decision: outcome,
			delivery,
			pages,
			fee_yen: fee,
			decision_document_id: noticeId,
			disclosure_document_id: disclosureId,
			decision_reason: grounds.join(',') || null
		});
		return {
			result: {
				decision: outcome,
				documents: [noticeId, ...(disclosureId ? [disclosureId] : [])]
			},
			atena: request.subject_atena_number,
			payload: { decision: outcome, delivery, pages, fee, withheld: pack.withheld.length }
		};
	});
}

export type CorrectionDecision =
	{ accepted: true; doseId: string; form: DoseCorrection } | { accepted: false; reason: string };

export async function decideCorrection(
	db: Executor,
	input: Input & { delivery: string; today: string; outcome: CorrectionDecision }
): Promise<Decided> {
	return audited(db, input, 'decide_correction', async (trx) => {
		const request = await openRequest(trx, input, 'decide_correction');
		const delivery = checkDelivery(input.delivery, request.channel);
		const { outcome } = input;
		let changeId: string | null = null;
		if (outcome.accepted) {
			const dose = /^\d{1,18}$/.test(outcome.doseId)
				? await trx
						.selectFrom('vaccination_dose')
						.select('atena_number')
						.where('municipality_code', '=', input.municipalityCode)
						.where('id', '=', outcome.doseId)
						.executeTakeFirst()
				: undefined;
			if (!dose || dose.atena_number !== request.subject_atena_number)
				throw new DeskDecisionError('dose_required');
			// ACC-1: the ledger changes only when a second person applies the correction.
			const change = await requestDoseChange(trx, {
				municipalityCode: input.municipalityCode,
				doseId: outcome.doseId,
				change: { kind: 'correct', form: outcome.form },
				reason: `訂正請求 ${request.reference}`,
				actor: input.actor,
				context: input.context,
				today: input.today,
				now: input.now
			});
			changeId = change.id;
		} else if (!outcome.reason.trim()) throw new DeskDecisionError('reason_required');
		const noticeId = await notice(trx, input, request, delivery, await facts(trx, request), {
			kind: outcome.accepted ? 'correction_accepted' : 'correction_rejected',
			details: [
				['請求の受付番号', request.reference],
				['請求を受け付けた日', japaneseDate(request.received_on)],
				['訂正請求の内容', request.what_requested],
				...(outcome.accepted
					? ([
							['訂正の内容', '予防接種の記録を請求のとおり訂正します（確認者の確認を経て反映）']
						] as [string, string][])
					: [])
			],
			reason: outcome.accepted ? null : outcome.reason.trim()
		});
		await finish(trx, input, request.id, {
			decision: outcome.accepted ? 'accepted' : 'rejected',
			delivery,
			decision_document_id: noticeId,
			dose_change_id: changeId,
			decision_reason: outcome.accepted ? null : outcome.reason.trim()
		});
		return {
			result: { decision: outcome.accepted ? 'accepted' : 'rejected', documents: [noticeId] },
			atena: request.subject_atena_number,
			payload: { decision: outcome.accepted ? 'accepted' : 'rejected', change: changeId }
		};
	});
}

export async function decideSuspension(
	db: Executor,
	input: Input & { delivery: string; today: string; accepted: boolean; reason: string }
): Promise<Decided> {
	return audited(db, input, 'decide_suspension', async (trx) => {
		const request = await openRequest(trx, input, 'decide_suspension');
		const delivery = checkDelivery(input.delivery, request.channel);
		if (!input.accepted && !input.reason.trim()) throw new DeskDecisionError('reason_required');
		if (input.accepted) {
			await trx
				.insertInto('use_suspension')
				.values({
					municipality_code: input.municipalityCode,
					atena_number: request.subject_atena_number,
					request_id: request.id,
					since: input.today,
					scope: request.what_requested,
					decided_by: input.actor.id
				})
				.execute();
		}
		const noticeId = await notice(trx, input, request, delivery, await facts(trx, request), {
			kind: input.accepted ? 'suspension_accepted' : 'suspension_rejected',
			details: [
				['請求の受付番号', request.reference],
				['請求を受け付けた日', japaneseDate(request.received_on)],
				['利用停止請求の内容', request.what_requested],
				...(input.accepted
					? ([['利用停止の開始日', japaneseDate(input.today)]] as [string, string][])
					: [])
			],
			reason: input.accepted ? null : input.reason.trim()
		});
		await finish(trx, input, request.id, {
			decision: input.accepted ? 'accepted' : 'rejected',
			delivery,
			decision_document_id: noticeId,
			decision_reason: input.accepted ? null : input.reason.trim()
		});
		return {
			result: { decision: input.accepted ? 'accepted' : 'rejected', documents: [noticeId] },
			atena: request.subject_atena_number,
			payload: { decision: input.accepted ? 'accepted' : 'rejected' }
		};
	});
}

function checkDelivery(value: string, channel: string): Delivery {
	if (!deliveryMethods.includes(value as Delivery)) throw new DeskDecisionError('delivery_invalid');
	// Only a person who asked online (and so can sign in) receives it in the portal.
	if (value === 'portal' && channel !== 'online') throw new DeskDecisionError('delivery_invalid');
	return value as Delivery;
}

type Request = Awaited<ReturnType<typeof openRequest>>;
type Facts = Awaited<ReturnType<typeof facts>>;

async function facts(db: Executor, request: Request) {
	const [city, subject] = await Promise.all([
		db
			.selectFrom('municipality')
			.selectAll()
			.where('municipality_code', '=', request.municipality_code)
			.executeTakeFirstOrThrow(),
		db
			.selectFrom('resident')
			.select(['name_kanji', 'postal_code', 'address'])
			.where('municipality_code', '=', request.municipality_code)
			.where('atena_number', '=', request.subject_atena_number)
			.executeTakeFirstOrThrow()
	]);
	return { city, subject };
}

async function register(
	db: Executor,
	input: Input,
	request: Request,
	delivery: Delivery,
	document: { kind: DocumentKind; documentNumber: string; bytes: Uint8Array; fileName: string }
): Promise<string> {
	const { id } = await registerDocument(db, {
		municipalityCode: input.municipalityCode,
		kind: document.kind,
		documentNumber: document.documentNumber,
		subjectAtenaNumber: request.subject_atena_number,
		applicationId: null,
		language: 'ja',
		fileName: document.fileName,
		bytes: document.bytes,
		issuedBy: input.actor.id,
		approvedBy: null,
		// On paper the desk hands it over; only a portal delivery reaches the 発行書類 page.
		released: delivery === 'portal',
		availableUntil:
			delivery === 'portal'
				? new Date(input.now.getTime() + portalDownloadDays * 86_400_000)
				: undefined,
		actor: input.actor,
		context: input.context,
		now: input.now
	});
	return id;
}

async function notice(
	db: Executor,
	input: Input & { today: string },
	request: Request,
	delivery: Delivery,
	{ city, subject }: Facts,
	content: { kind: NoticeKind; details: [string, string][]; reason: string | null }
): Promise<string> {
	const documentNumber = await nextDocumentNumber(db, 'notice', input.today);
	const bytes = await renderNotice({
		municipality: city,
		kind: content.kind,
		documentNumber,
		issuedOn: input.today,
		recipient: {
			postalCode: subject.postal_code,
			address: subject.address,
			name: request.requester_name
		},
		details: content.details,
		reason: content.reason
	});
	return register(db, input, request, delivery, {
		kind: 'notice',
		documentNumber,
		bytes,
		fileName: `kettei-${documentNumber}.pdf`
	});
}

async function finish(
	db: Executor,
	input: Input & { today: string },
	requestId: string,
	values: {
		decision: string;
		delivery: Delivery;
		pages?: number;
		fee_yen?: number;
		decision_document_id: string;
		disclosure_document_id?: string | null;
		dose_change_id?: string | null;
		decision_reason: string | null;
	}
) {
	await db
		.updateTable('desk_request')
		.set({
			...values,
			status: 'decided',
			decided_on: input.today,
			decided_by: input.actor.id
		})
		.where('id', '=', requestId)
		.execute();
}
