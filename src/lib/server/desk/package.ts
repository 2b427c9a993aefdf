// The disclosure package (DOMAIN.md P5, issue 8 build item 3): everything the city holds about one
// person in this 事務, gathered in one step from every part of the product — the register, the
// portal account, vaccination records with their correction history, applications and their
// attachments, issued documents, relief cases, earlier requests and inquiries, and the audit
// entries about the person (who accessed what, when, why).
//
// What the package leaves out by construction, because it is not the person's own information:
// the names of other people (a guardian who applied, a claimant, a caller, staff — staff appear
// by role and department), and the 個人番号 itself, which never leaves the back office in any
// document (the package says that it is held). Everything else is listed; the officer withholds
// items or passages with their legal ground before the decision.
import { sql } from 'kysely';
import { messageFor } from '$lib/messages';
import { m } from '$lib/paraglide/messages';
import type { Executor } from '../db';
import { accessActionLabels } from '../residents/access-actions';
import type { PackageField, PackageItem } from '../documents/disclosure';
import { dosesWithVaccine } from '../vaccinations/dose-query';

const dateOf = (value: Date | string | null | undefined) =>
	value === null || value === undefined
		? '—'
		: typeof value === 'string'
			? value
			: value.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
const field = (label: string, value: unknown): PackageField => ({
	label,
	value: value === null || value === undefined || value === '' ? '—' : String(value)
});

const doseStatus: Record<string, string> = {
	confirmed: '確認済み / confirmed',
	pending_check: '確認待ち / awaiting check'
};
const applicationKinds: Record<string, string> = {
	reissue: '予診票の再発行 / Reissue of questionnaires',
	certificate: '英文予防接種証明書 / English vaccination certificate',
	relief: '健康被害救済 / Vaccine-injury relief',
	outside_request: '予防接種実施依頼書 / Request to vaccinate elsewhere'
};
const documentKinds: Record<string, string> = {
	reissue: '予診票 / Questionnaire',
	certificate: '英文予防接種証明書 / Certificate of vaccination',
	outside_request: '予防接種実施依頼書 / Request to vaccinate',
	notice: '通知書 / Notice',
	relief_forward: '都道府県への進達書 / Letter to the prefecture',
	disclosure: '開示の写し / Disclosure'
};
const requestKinds: Record<string, string> = {
	disclosure: '開示請求 / Disclosure request',
	correction: '訂正請求 / Correction request',
	suspension: '利用停止請求 / Suspension request'
};
// The package is read by the person, not by staff: every coded value in words, Japanese first
// and English after (issue 25: the copy printed relief.view and decided_pay).
const coded = (table: Record<string, string>) => (code: string | null) =>
	code === null ? null : (table[code] ?? code);
const applicationStatus = coded({
	draft: '下書き / draft',
	submitted: '送信済 / sent',
	in_review: '処理中 / in progress',
	returned: '差し戻し / returned for changes',
	completed: '完了 / completed',
	rejected: '却下 / rejected',
	withdrawn: '取下げ / withdrawn'
});
const documentStatus = coded({
	valid: '有効 / valid',
	superseded: '再発行により無効 / replaced by a reissue',
	revoked: '取消 / revoked'
});
const reliefDecision = coded({ pay: '支給 / to be paid', not_pay: '不支給 / not to be paid' });
const requestStatus = coded({
	open: '処理中 / in progress',
	decided: '決定済み / decided',
	withdrawn: '取下げ / withdrawn'
});
const requestDecision = coded({
	full: '全部開示 / disclosed in full',
	partial: '部分開示 / disclosed in part',
	none: '不開示 / not disclosed',
	neither_confirm_nor_deny: '存否を明らかにしない / neither confirmed nor denied',
	accepted: '請求どおり / as requested',
	rejected: '請求に応じない / not as requested'
});
const inquiryChannel = coded({
	desk: '窓口 / at the desk',
	phone: '電話 / telephone',
	mail: '郵送 / post',
	email: '電子メール / email',
	online: 'ポータル / online'
});
const auditResult = coded({ ok: '実施 / done', denied: '拒否 / refused', error: 'エラー / error' });

/** A message in both languages, for codes the product names in its messages. */
function bothLanguages(key: string): string | null {
	const message = messageFor(key);
	if (message === key) return null;
	const byLocale = (locale: 'ja' | 'en') =>
		(m as unknown as Record<string, (inputs: object, options: { locale: string }) => string>)[key]!(
			{},
			{ locale }
		);
	return `${byLocale('ja')} / ${byLocale('en')}`;
}
const reliefStage = (code: string | null) =>
	code === null ? null : (bothLanguages(`relief_stage_${code}`) ?? code);
const reliefStep = (code: string) => bothLanguages(`relief_action_${code}`) ?? code;
const paymentStatus = (code: string) => bothLanguages(`relief_payment_status_${code}`) ?? code;
function auditAction(action: string): string {
	const label = accessActionLabels[action as keyof typeof accessActionLabels] as
		((inputs: object, options: { locale: string }) => string) | undefined;
	return label ? `${label({}, { locale: 'ja' })} / ${label({}, { locale: 'en' })}` : action;
}

const roleNames: Record<string, string> = {
	caseworker: '担当',
	approver: '決裁者',
	desk: '窓口担当',
	auditor: '監査担当',
	admin: 'システム管理者',
	contractor: '委託事業者',
	relief_officer: '健康被害救済担当',
	resident: '本人または法定代理人（ポータル）',
	system: 'システム'
};

/** Draft answers worth showing, flattened; never a 個人番号 (it is not kept in drafts anyway). */
function answers(draft: unknown): PackageField[] {
	const out: PackageField[] = [];
	const walk = (value: unknown, path: string) => {
		if (out.length >= 60) return;
		if (/my_?number|individual_number/i.test(path)) return;
		if (value === null || value === undefined || value === '') return;
		if (Array.isArray(value)) {
			if (value.every((item) => typeof item !== 'object')) out.push(field(path, value.join('、')));
			else value.forEach((item, index) => walk(item, `${path}[${index + 1}]`));
		} else if (typeof value === 'object') {
			for (const [key, inner] of Object.entries(value as Record<string, unknown>))
				walk(inner, path ? `${path}.${key}` : key);
		} else out.push(field(path, value));
	};
	walk(draft, '');
	return out;
}

export async function gatherPackage(
	db: Executor,
	input: { municipalityCode: string; atenaNumber: string; excludeRequestId?: string }
): Promise<PackageItem[]> {
	const city = input.municipalityCode;
	const atena = input.atenaNumber;
	const [
		person,
		hasMyNumber,
		account,
		doses,
		changes,
		applications,
		attachments,
		documents,
		reliefCases,
		requests,
		inquiries,
		audit
	] = await Promise.all([
		db
			.selectFrom('resident')
			.selectAll()
			.where('municipality_code', '=', city)
			.where('atena_number', '=', atena)
			.executeTakeFirstOrThrow(),
		sql<{ n: number }>`SELECT count(*)::int AS n FROM mynumber.individual_number
			WHERE municipality_code = ${city} AND atena_number = ${atena}`
			.execute(db)
			.then((result) => result.rows[0]!.n > 0),
		db
			.selectFrom('resident_account as a')
			.leftJoin('webauthn_credential as c', (join) =>
				join.onRef('c.resident_account_id', '=', 'a.id')
			)
			.select([
				'a.id',
				'a.created_at',
				'c.id as credential',
				'c.nickname',
				'c.created_at as registered_at',
				'c.last_used_at',
				'c.revoked_at'
			])
			.where('a.municipality_code', '=', city)
			.where('a.atena_number', '=', atena)
			.orderBy('c.created_at')
			.execute(),
		dosesWithVaccine(db)
			.select([
				sql<string>`d.id::text`.as('id'),
				'v.name_ja',
				'vd.label_ja',
				'd.administered_on',
				'd.lot_number',
				'd.manufacturer',
				'd.legal_basis',
				'd.status',
				'd.source',
				'd.version',
				'd.voided_at',
				'd.entered_at',
				'd.checked_at',
				'd.institution_name',
				'i.name_ja as institution'
			])
			.where('d.municipality_code', '=', city)
			.where('d.atena_number', '=', atena)
			.orderBy('d.administered_on')
			.orderBy('d.id')
			.execute(),
		db
			.selectFrom('vaccination_dose_change as c')
			.innerJoin('vaccination_dose as d', 'd.id', 'c.dose_id')
			.select([
				sql<string>`c.id::text`.as('id'),
				sql<string>`c.dose_id::text`.as('dose_id'),
				'c.kind',
				'c.reason',
				'c.before',
				'c.after',
				'c.requested_at',
				'c.decision',
				'c.decided_at',
				'c.decision_note'
			])
			.where('d.municipality_code', '=', city)
			.where('d.atena_number', '=', atena)
			.orderBy('c.id')
			.execute(),
		db
			.selectFrom('application as a')
			.leftJoin('resident_account as r', 'r.id', 'a.applicant_account_id')
			.select([
				'a.id',
				'a.kind',
				'a.reference',
				'a.status',
				'a.submitted_at',
				'a.created_at',
				'a.draft',
				'r.atena_number as applicant_atena'
			])
			.where('a.municipality_code', '=', city)
			.where('a.subject_atena_number', '=', atena)
			.where('a.status', '<>', 'draft')
			.orderBy('a.created_at')
			.execute(),
		db
			.selectFrom('attachment as f')
			.innerJoin('application as a', 'a.id', 'f.application_id')
			.select([
				'f.id',
				'f.file_name',
				'f.purpose',
				'f.content_type',
				'f.size_bytes',
				'f.created_at',
				'a.reference'
			])
			.where('a.municipality_code', '=', city)
			.where('a.subject_atena_number', '=', atena)
			.where('a.status', '<>', 'draft')
			.orderBy('f.created_at')
			.execute(),
		db
			.selectFrom('issued_document')
			.select(['id', 'kind', 'document_number', 'issued_at', 'status'])
			.where('municipality_code', '=', city)
			.where('subject_atena_number', '=', atena)
			.orderBy('issued_at')
			.execute(),
		db
			.selectFrom('relief_case')
			.selectAll()
			.where('municipality_code', '=', city)
			.where('subject_atena_number', '=', atena)
			.orderBy('received_on')
			.execute(),
		db
			.selectFrom('desk_request')
			.select(['id', 'kind', 'reference', 'received_on', 'status', 'decision', 'decided_on'])
			.where('municipality_code', '=', city)
			.where('subject_atena_number', '=', atena)
			.$if(Boolean(input.excludeRequestId), (query) =>
				query.where('id', '<>', input.excludeRequestId!)
			)
			.orderBy('received_on')
			.execute(),
		db
			.selectFrom('inquiry')
			.select(['id', 'kind', 'channel', 'received_at', 'subject', 'response', 'closed_on'])
			.where('municipality_code', '=', city)
			.where('subject_atena_number', '=', atena)
			.orderBy('received_at')
			.execute(),
		sql<{
			seq: string;
			occurred_at: Date;
			action: string;
			result: string;
			actor_type: string;
			actor_role: string;
			department: string | null;
			reason: string | null;
		}>`SELECT seq::text AS seq, occurred_at, action, result, actor_type, actor_role, department,
				reason
			FROM audit.entry WHERE municipality_code = ${city} AND subject_atena_number = ${atena}
			ORDER BY seq DESC LIMIT 2000`
			.execute(db)
			.then((result) => result.rows)
	]);

	const reliefIds = reliefCases.map((row) => row.id);
	const [events, payments, benefits] = await Promise.all([
		reliefIds.length
			? db
					.selectFrom('relief_event')
					.select([
						sql<string>`id::text`.as('id'),
						'case_id',
						'action',
						'to_stage',
						'at',
						'public_note',
						'internal_note'
					])
					.where('case_id', 'in', reliefIds)
					.orderBy('id')
					.execute()
			: [],
		reliefIds.length
			? db
					.selectFrom('relief_payment')
					.select([
						sql<string>`id::text`.as('id'),
						'case_id',
						'benefit_code',
						'amount_yen',
						'due_on',
						'status',
						'paid_on'
					])
					.where('case_id', 'in', reliefIds)
					.orderBy('due_on')
					.execute()
			: [],
		db.selectFrom('relief_benefit').select(['code', 'name_ja']).execute()
	]);
	const benefitName = (code: string) => benefits.find((row) => row.code === code)?.name_ja ?? code;

	const items: PackageItem[] = [];
	items.push({
		key: 'registry',
		category: 'registry',
		title: '住民記録 / Register entry',
		fields: [
			field('宛名番号 / Person number', person.atena_number),
			field('氏名 / Name', person.name_kanji),
			field('フリガナ / Name (kana)', person.name_kana),
			field('ローマ字 / Name (Latin)', person.name_romaji),
			field('生年月日 / Date of birth', person.birth_date),
			field(
				'性別 / Sex',
				person.sex === 'F' ? '女 / female' : person.sex === 'M' ? '男 / male' : person.sex
			),
			field('郵便番号 / Postcode', person.postal_code),
			field('住所 / Address', person.address),
			field('世帯番号 / Household number', person.household_number),
			field('続柄 / Relationship', person.relationship),
			field('住民となった日 / Resident since', person.became_resident_on),
			field('住民の種別 / Resident type', person.resident_type),
			field('状態 / Status', person.status),
			field('消除日 / Removed on', person.removed_on),
			field('電話 / Phone', person.phone),
			field('メール / E-mail', person.email),
			field(
				'個人番号 / Individual number',
				hasMyNumber
					? '保有しています（番号はこの写しに記載しません） / held (not printed on this copy)'
					: '保有していません / not held'
			)
		]
	});
	if (account.length) {
		items.push({
			key: 'account',
			category: 'account',
			title: '利用者登録 / Account',
			fields: [
				field('登録日時 / Registered', dateOf(account[0]!.created_at)),
				...account
					.filter((row) => row.credential)
					.map((row) =>
						field(
							`パスキー / Passkey「${row.nickname}」`,
							`登録 ${dateOf(row.registered_at)}・最終利用 ${dateOf(row.last_used_at)}${row.revoked_at ? `・無効化 ${dateOf(row.revoked_at)}` : ''}`
						)
					)
			]
		});
	}
	for (const dose of doses) {
		items.push({
			key: `dose:${dose.id}`,
			category: 'doses',
			title: `${dose.name_ja} ${dose.label_ja}（${dose.administered_on}）`,
			fields: [
				field('接種日 / Date given', dose.administered_on),
				field('医療機関 / Clinic', dose.institution ?? dose.institution_name),
				field('ロット番号 / Lot', dose.lot_number),
				field('製造販売業者 / Manufacturer', dose.manufacturer),
				field('根拠 / Legal basis', dose.legal_basis),
				field('記録の由来 / Source', dose.source),
				field(
					'記録の状態 / Status',
					dose.voided_at
						? `無効 / void（${dateOf(dose.voided_at)}）`
						: (doseStatus[dose.status] ?? dose.status)
				),
				field('版 / Version', dose.version),
				field('入力日時 / Entered', dateOf(dose.entered_at)),
				field('確認日時 / Checked', dateOf(dose.checked_at))
			]
		});
	}
	const describe = (values: unknown) =>
		values && typeof values === 'object'
			? Object.entries(values as Record<string, unknown>)
					.filter(([, value]) => value !== null && value !== '')
					.map(([key, value]) => `${key}: ${String(value)}`)
					.join('、')
			: '—';
	for (const change of changes) {
		items.push({
			key: `dose_change:${change.id}`,
			category: 'dose_changes',
			title: `${change.kind === 'void' ? '無効の依頼 / Void' : '訂正の依頼 / Correction'}（${dateOf(change.requested_at)}）`,
			fields: [
				field('対象の記録 / Record', `dose:${change.dose_id}`),
				field('理由 / Reason', change.reason),
				field('変更前 / Before', describe(change.before)),
				field('変更後 / After', change.after ? describe(change.after) : '—'),
				field(
					'決定 / Decision',
					change.decision
						? `${change.decision === 'applied' ? '反映 / applied' : '不採用 / declined'}（${dateOf(change.decided_at)}）`
						: '確認待ち / waiting'
				),
				field('決定のメモ / Note', change.decision_note)
			]
		});
	}
	for (const application of applications) {
		items.push({
			key: `application:${application.id}`,
			category: 'applications',
			title: `${applicationKinds[application.kind] ?? application.kind} ${application.reference ?? ''}`,
			fields: [
				field('受付番号 / Reference', application.reference),
				field('状態 / Status', applicationStatus(application.status)),
				field('提出日時 / Submitted', dateOf(application.submitted_at)),
				field(
					'申請者 / Applicant',
					application.applicant_atena === atena
						? '本人 / the person'
						: '法定代理人（保護者） / legal representative'
				),
				...answers(application.draft)
			]
		});
	}
	for (const file of attachments) {
		items.push({
			key: `attachment:${file.id}`,
			category: 'attachments',
			title: `${file.file_name}（${file.reference ?? ''}）`,
			fields: [
				field('書類の種類 / Document', bothLanguages(`purpose_${file.purpose}`) ?? file.purpose),
				field('ファイル名 / File name', file.file_name),
				field('形式 / Type', file.content_type),
				field('大きさ / Size', `${file.size_bytes.toLocaleString('ja-JP')} bytes`),
				field('受け取った日時 / Received', dateOf(file.created_at))
			]
		});
	}
	for (const document of documents) {
		items.push({
			key: `document:${document.id}`,
			category: 'documents',
			title: `${documentKinds[document.kind] ?? document.kind} ${document.document_number}`,
			fields: [
				field('文書番号 / Number', document.document_number),
				field('発行日時 / Issued', dateOf(document.issued_at)),
				field('状態 / Status', documentStatus(document.status))
			]
		});
	}
	for (const relief of reliefCases) {
		items.push({
			key: `relief:${relief.id}`,
			category: 'relief',
			title: `健康被害救済の請求 / Relief claim（${relief.received_on}）`,
			fields: [
				field('区分 / Category', relief.category),
				field('給付 / Benefits', relief.benefits.map(benefitName).join('、')),
				field('受付日 / Received', relief.received_on),
				field('段階 / Stage', reliefStage(relief.stage)),
				field(
					'不足書類 / Missing documents',
					relief.missing_documents
						.map((code) => bothLanguages(`relief_doc_${code}`) ?? code)
						.join('、')
				),
				field('調査委員会 / Committee', relief.committee_on),
				field('議事録 / Minutes', relief.committee_minutes),
				field('委員会の意見 / Committee opinion', relief.committee_opinion),
				field('進達日 / Forwarded', relief.forwarded_on),
				field('認定 / Certification', reliefStage(relief.certification)),
				field('認定日 / Certified on', relief.certified_on),
				field('決定 / Decision', reliefDecision(relief.decision)),
				field('決定日 / Decided on', relief.decided_on),
				field('審査請求 / Appeal', relief.appeal_filed_on),
				field('裁決 / Appeal outcome', relief.appeal_outcome),
				field(
					'振込先口座 / Bank account',
					relief.bank_code
						? `${relief.bank_code}-${relief.branch_code} ${relief.account_type} ${relief.account_number} ${relief.account_holder_kana}`
						: null
				),
				field(
					'請求期限の起算日 / Claim limit from',
					relief.costs_paid_from ?? relief.treatment_from
				),
				field('終結日 / Closed', relief.closed_on)
			]
		});
		for (const event of events.filter((row) => row.case_id === relief.id)) {
			items.push({
				key: `relief_event:${event.id}`,
				category: 'relief',
				title: `処理の記録 / Case step: ${reliefStep(event.action)}（${dateOf(event.at)}）`,
				fields: [
					field('処理後の段階 / Stage after', reliefStage(event.to_stage)),
					field('請求者へのお知らせ / Message to the claimant', event.public_note),
					field('内部メモ / Internal note', event.internal_note)
				]
			});
		}
		for (const payment of payments.filter((row) => row.case_id === relief.id)) {
			items.push({
				key: `relief_payment:${payment.id}`,
				category: 'relief',
				title: `支払 / Payment: ${benefitName(payment.benefit_code)}（${payment.due_on}）`,
				fields: [
					field('金額 / Amount', `${payment.amount_yen.toLocaleString('ja-JP')}円`),
					field('状態 / Status', paymentStatus(payment.status)),
					field('支払日 / Paid on', payment.paid_on)
				]
			});
		}
	}
	for (const request of requests) {
		items.push({
			key: `desk_request:${request.id}`,
			category: 'requests',
			title: `${requestKinds[request.kind] ?? request.kind} ${request.reference}`,
			fields: [
				field('受付日 / Received', request.received_on),
				field('状態 / Status', requestStatus(request.status)),
				field('決定 / Decision', requestDecision(request.decision)),
				field('決定日 / Decided on', request.decided_on)
			]
		});
	}
	for (const inquiry of inquiries) {
		items.push({
			key: `inquiry:${inquiry.id}`,
			category: 'requests',
			title: `${inquiry.kind === 'complaint' ? '苦情 / Complaint' : '問合せ / Inquiry'}（${dateOf(inquiry.received_at)}）`,
			fields: [
				field('方法 / Channel', inquiryChannel(inquiry.channel)),
				field('内容 / Subject', inquiry.subject),
				field('回答 / Response', inquiry.response),
				field('完了日 / Closed', inquiry.closed_on)
			]
		});
	}
	for (const entry of [...audit].reverse()) {
		items.push({
			key: `audit:${entry.seq}`,
			category: 'audit',
			title: `${dateOf(entry.occurred_at)} ${auditAction(entry.action)}`,
			fields: [
				field('操作 / Operation', auditAction(entry.action)),
				field('結果 / Result', auditResult(entry.result)),
				field(
					'操作した者 / By',
					`${roleNames[entry.actor_role] ?? roleNames[entry.actor_type] ?? entry.actor_role}${entry.department ? `（${entry.department}）` : ''}`
				),
				field('処理事由 / Purpose', entry.reason)
			]
		});
	}
	return items;
}
