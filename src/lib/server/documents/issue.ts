// What a decision on a request issues, in the same transaction as the decision: approving a
// reissue renders the 予診票, approving a certificate request renders the signed certificate,
// approving a 実施依頼書 request renders the letter to the other city; rejecting any of them
// renders the 却下通知書. The documents then appear in the resident's 発行書類.
import { m } from '$lib/paraglide/messages';
import { recordAudit, type Actor, type AuditContext } from '../audit/record';
import type { Executor } from '../db';
import type { Municipality } from '../municipality';
import { tokyoDate } from '../time';
import { renderCertificate, type CertificateDose } from './certificate';
import { englishDate } from './dates';
import { issueHealthCards, numericHealthCard, standardCoding } from './health-card';
import { renderNotice } from './notice';
import {
	groupedVerifyCode,
	newVerifyCode,
	newVerifyId,
	nextDocumentNumber,
	registerDocument,
	type DocumentKind
} from './registry';
import { activeSigningKey, type SealingKey } from './signing-keys';
import { isUuid } from '../ids';
import type { DoseLetterContent } from './dose-letter';
import { dosesWithVaccine } from '../vaccinations/dose-query';
import { DomainError } from '../errors';
import { sameCity } from '../db/same-city';

type Decided = {
	id: string;
	municipality_code: string;
	kind: string;
	reference: string | null;
	subject_atena_number: string | null;
	applicant_account_id: string;
	current_version: number;
	submitted_at: Date | null;
	prepared_by: string | null;
};

export type IssueSettings = { origin: string; sealing: SealingKey | undefined };

const kindNames: Record<string, string> = {
	reissue: '予診票の再発行',
	certificate: '英文予防接種証明書の交付',
	outside_request: '予防接種実施依頼書の交付',
	relief: '予防接種健康被害救済給付の請求'
};

async function facts(db: Executor, application: Decided) {
	const [municipality, subject, applicant, version] = await Promise.all([
		db
			.selectFrom('municipality')
			.selectAll()
			.where('municipality_code', '=', application.municipality_code)
			.executeTakeFirstOrThrow(),
		db
			.selectFrom('resident')
			.selectAll()
			.where('municipality_code', '=', application.municipality_code)
			.where('atena_number', '=', application.subject_atena_number!)
			.executeTakeFirstOrThrow(),
		db
			.selectFrom('resident_account as a')
			.innerJoin('resident as r', (join) => sameCity(join, ['r.atena_number', 'a.atena_number']))
			.select(['r.atena_number', 'r.name_kanji', 'r.postal_code', 'r.address'])
			.where('a.id', '=', application.applicant_account_id)
			.executeTakeFirstOrThrow(),
		db
			.selectFrom('application_version')
			.select('payload')
			.where('application_id', '=', application.id)
			.where('version', '=', application.current_version)
			.executeTakeFirst()
	]);
	return {
		municipality: municipality as Municipality,
		subject,
		applicant,
		guardianName: applicant.atena_number === subject.atena_number ? null : applicant.name_kanji,
		// A request taken on paper at the desk has no signed version to issue from.
		payload: version ? (JSON.parse(version.payload) as Record<string, unknown>) : null
	};
}

export async function catalogueEntry(
	db: Executor,
	municipalityCode: string,
	vaccineCode: string,
	doseCode: string
) {
	return db
		.selectFrom('vaccine_dose as d')
		.innerJoin('vaccine as v', (join) => sameCity(join, ['v.vaccine_code', 'd.vaccine_code']))
		.select(['v.name_ja', 'v.name_en', 'v.diseases_en', 'd.label_ja', 'd.label_en'])
		.where('d.municipality_code', '=', municipalityCode)
		.where('d.vaccine_code', '=', vaccineCode)
		.where('d.dose_code', '=', doseCode)
		.executeTakeFirstOrThrow();
}

type ChosenDose = { vaccine_code: string; dose_code: string; administered_on: string };

/** Why a certificate cannot be issued as it stands (issue 25, item 1). */
export class CertificateContentError extends DomainError<
	'certificate_empty' | 'dose_unchecked' | 'vaccine_uncoded'
> {
	protected readonly messages = {
		certificate_empty: m.case_refused_certificate_empty,
		dose_unchecked: m.case_refused_dose_unchecked,
		vaccine_uncoded: m.case_refused_vaccine_uncoded
	};
}

/**
 * What a certificate request would certify now: the doses the resident chose from the record and
 * the doses keyed for this request from the 母子健康手帳, each only once a second person has
 * checked it (a voided dose is left out). `waiting` names the chosen or keyed doses still
 * awaiting that check; `problem` is why the certificate cannot be issued yet, if it cannot.
 */
export async function certificateContent(
	db: Executor,
	input: {
		municipalityCode: string;
		atena: string;
		chosen: ChosenDose[];
		applicationId: string | null;
	}
) {
	const rows = await dosesWithVaccine(db)
		.select([
			'd.id',
			'd.vaccine_code',
			'd.dose_code',
			'd.administered_on',
			'd.lot_number',
			'd.manufacturer',
			'd.institution_name',
			'd.institution_name_en',
			'd.application_id',
			'd.checked_by',
			'i.name_en as institution_en',
			'i.name_ja as institution_ja',
			'v.name_ja',
			'v.name_en',
			'v.diseases_en',
			'v.sort_order',
			'v.cvx_code',
			'v.snomed_code',
			'vd.label_ja',
			'vd.label_en',
			'vd.sequence',
			'vd.repeats_yearly'
		])
		.where('d.municipality_code', '=', input.municipalityCode)
		.where('d.atena_number', '=', input.atena)
		.where('d.status', '=', 'administered')
		.where('d.voided_at', 'is', null)
		.orderBy('v.sort_order')
		.orderBy('vd.sequence')
		.orderBy('d.administered_on')
		.execute();
	const wanted = new Set(
		input.chosen.map((dose) => `${dose.vaccine_code}:${dose.dose_code}:${dose.administered_on}`)
	);
	const included = rows.filter(
		(row) =>
			wanted.has(`${row.vaccine_code}:${row.dose_code}:${row.administered_on}`) ||
			(input.applicationId !== null && row.application_id === input.applicationId)
	);
	const doses = included
		.filter((row) => row.checked_by !== null)
		.map(
			(
				row
			): CertificateDose & {
				vaccineCode: string;
				doseCode: string;
				coding: { system: string; code: string } | null;
				sequence: number | null;
			} => ({
				vaccineCode: row.vaccine_code,
				doseCode: row.dose_code,
				coding: standardCoding(row),
				// A yearly dose (influenza) has no number in a series.
				sequence: row.repeats_yearly ? null : row.sequence,
				vaccineEn: row.name_en,
				vaccineJa: row.name_ja,
				diseasesEn: row.diseases_en,
				doseEn: row.label_en,
				doseJa: row.label_ja,
				administeredOn: row.administered_on,
				lotNumber: row.lot_number,
				manufacturer: row.manufacturer,
				institutionEn: row.institution_en ?? row.institution_name_en,
				institutionJa: row.institution_ja ?? row.institution_name
			})
		);
	const waiting = included
		.filter((row) => row.checked_by === null)
		.map((row) => ({
			id: String(row.id),
			label: `${row.name_ja} ${row.label_ja}`,
			on: row.administered_on
		}));
	const problem: CertificateContentError['code'] | null =
		waiting.length > 0
			? 'dose_unchecked'
			: doses.length === 0
				? 'certificate_empty'
				: doses.some((dose) => dose.coding === null)
					? 'vaccine_uncoded'
					: null;
	return { doses, waiting, problem };
}

/** Renders, signs where it applies, and registers the document a certificate approval issues. */
export async function issueCertificate(
	db: Executor,
	input: {
		municipality: Municipality;
		subject: { atena_number: string; name_kanji: string; birth_date: string; sex: string };
		payload: Record<string, unknown>;
		applicationId: string | null;
		issuedBy: string;
		approvedBy: string | null;
		supersedes?: string;
		settings: IssueSettings;
		actor: Actor;
		context?: AuditContext;
		now: Date;
	}
) {
	const issuedOn = tokyoDate(input.now);
	const { municipality, subject, payload } = input;
	const content = await certificateContent(db, {
		municipalityCode: municipality.municipality_code,
		atena: subject.atena_number,
		chosen: (payload.doses ?? []) as ChosenDose[],
		applicationId: input.applicationId
	});
	// A certificate says the holder "received the vaccinations listed": it is never issued
	// listing none, nor while a dose asked for still awaits its second person's check.
	if (content.problem) throw new CertificateContentError(content.problem);
	const { doses } = content;
	const passportName = String(payload.passport_name ?? '');
	const [familyName = passportName, ...given] = passportName.split(' ');
	const key = await activeSigningKey(db, municipality.municipality_code, input.settings.sealing);
	const cards = await issueHealthCards({
		issuer: input.settings.origin,
		issuedAt: input.now,
		holder: { familyName, givenName: given.join(' '), birthDate: subject.birth_date },
		doses: doses.map((dose) => ({
			group: dose.vaccineEn,
			coding: dose.coding!,
			doseNumber: dose.sequence,
			administeredOn: dose.administeredOn,
			lotNumber: dose.lotNumber,
			// Read abroad: the English name, or the Japanese one when no English one is kept.
			performer: dose.institutionEn ?? dose.institutionJa
		})),
		key
	});
	const healthCards = cards.map((card, index) => ({
		numeric: numericHealthCard(card.jws),
		label: `SMART Health Card ${index + 1}/${cards.length}: ${card.groups.join('; ')}`
	}));
	const documentNumber = await nextDocumentNumber(db, 'certificate', issuedOn);
	const verifyId = newVerifyId();
	const verifyCode = newVerifyCode();
	const bytes = await renderCertificate({
		municipality,
		documentNumber,
		issuedOn,
		holder: {
			passportName,
			nameKanji: subject.name_kanji,
			birthDate: subject.birth_date,
			sex: subject.sex as 'male' | 'female',
			nationality: String(payload.nationality ?? ''),
			passportNumber: (payload.passport_number as string | null) ?? null
		},
		doses,
		verifyUrl: `${input.settings.origin}/v/${groupedVerifyCode(verifyCode)}`,
		healthCards
	});
	const registered = await registerDocument(db, {
		municipalityCode: municipality.municipality_code,
		kind: 'certificate',
		documentNumber,
		subjectAtenaNumber: subject.atena_number,
		applicationId: input.applicationId,
		language: 'en',
		fileName: `certificate-${documentNumber}.pdf`,
		bytes,
		issuedBy: input.issuedBy,
		approvedBy: input.approvedBy,
		supersedes: input.supersedes,
		verify: {
			id: verifyId,
			code: verifyCode,
			kid: key.kid,
			healthCards: healthCards.map((card) => card.numeric),
			summary: {
				holder: passportName,
				birthDate: englishDate(subject.birth_date),
				doses: doses.map((dose) => ({
					vaccine: `${dose.vaccineEn} / ${dose.vaccineJa}`,
					dose: dose.doseEn,
					date: englishDate(dose.administeredOn)
				})),
				issuer: `${municipality.mayor_title_en} (${municipality.name_en}, ${municipality.prefecture_en}, Japan)`,
				issuedOn: englishDate(issuedOn),
				cards: healthCards.map((card) => card.label)
			}
		},
		actor: input.actor,
		context: input.context,
		now: input.now
	});
	return {
		...registered,
		documentNumber,
		verifyId,
		verifyCode,
		jws: cards.map((card) => card.jws),
		bytes
	};
}

/** What every document of a decision is issued from: the case, its people and its signed payload. */
export type DecisionFacts = Awaited<ReturnType<typeof decisionFacts>>;

/**
 * The facts a decision's documents are rendered from. `issuedBy` is the caseworker who prepared
 * the case; `approvedBy` the approver (the decision's checker), none where they are the same.
 */
export async function decisionFacts(
	db: Executor,
	input: {
		application: Decided;
		actor: Actor;
		context?: AuditContext;
		settings: IssueSettings;
		now: Date;
	}
) {
	const { application } = input;
	const known = await facts(db, application);
	const issuedBy = application.prepared_by ?? input.actor.id;
	const { municipality, subject } = known;
	return {
		...known,
		application,
		settings: input.settings,
		issuedOn: tokyoDate(input.now),
		common: {
			municipalityCode: municipality.municipality_code,
			subjectAtenaNumber: subject.atena_number,
			applicationId: application.id,
			issuedBy,
			approvedBy: issuedBy === input.actor.id ? null : input.actor.id,
			actor: input.actor,
			context: input.context,
			now: input.now
		},
		person: {
			nameKanji: subject.name_kanji,
			nameKana: subject.name_kana,
			birthDate: subject.birth_date,
			sex: subject.sex as 'male' | 'female',
			postalCode: subject.postal_code,
			address: subject.address
		}
	};
}

/**
 * Renders and registers a letter about the dose the request names (the 予診票 again, the
 * 実施依頼書): what the two approvals share; `render` adds what is the kind's own.
 */
export async function issueDoseLetter(
	db: Executor,
	facts: DecisionFacts,
	kind: 'reissue' | 'outside_request',
	fileStem: string,
	render: (content: DoseLetterContent) => Promise<Uint8Array>
): Promise<{ id: string; kind: DocumentKind }[]> {
	const { municipality, issuedOn } = facts;
	const vaccine = await catalogueEntry(
		db,
		municipality.municipality_code,
		String(facts.payload!.vaccine_code),
		String(facts.payload!.dose_code)
	);
	const documentNumber = await nextDocumentNumber(db, kind, issuedOn);
	const bytes = await render({
		municipality,
		documentNumber,
		issuedOn,
		person: facts.person,
		guardianName: facts.guardianName,
		vaccine: { nameJa: vaccine.name_ja, doseJa: vaccine.label_ja }
	});
	const row = await registerDocument(db, {
		...facts.common,
		kind,
		documentNumber,
		language: 'ja',
		fileName: `${fileStem}-${documentNumber}.pdf`,
		bytes
	});
	return [{ id: row.id, kind }];
}

/** The notice of a rejection, addressed to the applicant, whatever the kind. */
export async function issueRejectionNotice(
	db: Executor,
	facts: DecisionFacts,
	reason: string | null
): Promise<{ id: string; kind: DocumentKind }[]> {
	const { application, applicant, municipality, issuedOn } = facts;
	const documentNumber = await nextDocumentNumber(db, 'notice', issuedOn);
	const bytes = await renderNotice({
		municipality,
		kind: 'application_rejected',
		documentNumber,
		issuedOn,
		recipient: {
			postalCode: applicant.postal_code,
			address: applicant.address,
			name: applicant.name_kanji
		},
		details: [
			['申請の種類', kindNames[application.kind] ?? application.kind],
			['受付番号', application.reference ?? ''],
			['申請日', application.submitted_at ? tokyoDate(application.submitted_at) : ''],
			['対象者', facts.subject.name_kanji]
		],
		reason
	});
	const row = await registerDocument(db, {
		...facts.common,
		kind: 'notice',
		documentNumber,
		language: 'ja',
		fileName: `notice-${documentNumber}.pdf`,
		bytes
	});
	return [{ id: row.id, kind: 'notice' }];
}

/** A staff reprint returns the stored bytes unchanged, and says so in the log. */
export async function reprintDocument(
	db: Executor,
	input: { municipalityCode: string; documentId: string; actor: Actor; context?: AuditContext }
) {
	const row = isUuid(input.documentId)
		? await db
				.selectFrom('issued_document')
				.select(['id', 'file_name', 'content', 'subject_atena_number', 'document_number'])
				.where('municipality_code', '=', input.municipalityCode)
				.where('id', '=', input.documentId)
				.executeTakeFirst()
		: undefined;
	await recordAudit(db, {
		municipalityCode: input.municipalityCode,
		actor: input.actor,
		context: input.context,
		action: 'document.reprint',
		subjectAtenaNumber: row?.subject_atena_number,
		objectType: 'issued_document',
		objectId: row?.id ?? input.documentId.slice(0, 64),
		result: row ? 'ok' : 'denied'
	});
	return row ?? null;
}
