// The staff side of identity proofing (the desk enrols residents): the person as the registry
// holds them with their passkeys, a letter with a one-time code mailed to the registered
// address, or a link handed over at the desk after the identity documents were seen.
import QRCode from 'qrcode';
import { m } from '$lib/paraglide/messages';
import {
	actorOf,
	auditAs,
	requirePermission,
	type Caller,
	type StaffCaller
} from '../audit/caller';
import {
	auditEnrolmentIssued,
	identityDocuments,
	issueDeskLink,
	issueLetterCode,
	type IdentityDocument
} from '../auth/enrolment';
import type { Executor } from '../db';
import { renderEnrolmentLetter } from '../documents/enrolment-letter';
import { AccessRefused, DomainError } from '../errors';
import { findServedMunicipality } from '../municipality';
import { searchResidents } from '../residents/search';
import { tokyoDate } from '../time';

export class ProofingError extends DomainError<'not_resident' | 'documents_required'> {
	protected readonly messages = {
		not_resident: m.proofing_not_resident,
		documents_required: m.proofing_documents_required
	};
	constructor(code: 'not_resident' | 'documents_required') {
		super(code, code === 'not_resident' ? 409 : 400);
	}
}

async function findPerson(db: Executor, caller: StaffCaller, atena: string) {
	if (!/^[0-9]{1,15}$/.test(atena)) throw new AccessRefused('not_found');
	const person = await db
		.selectFrom('resident')
		.select([
			'atena_number',
			'name_kanji',
			'name_kana',
			'birth_date',
			'postal_code',
			'address',
			'status'
		])
		.where('municipality_code', '=', caller.municipalityCode)
		.where('atena_number', '=', atena)
		.executeTakeFirst();
	if (!person) throw new AccessRefused('not_found');
	return person;
}

/**
 * The person to enrol, found by 宛名番号, or by name (prefix, any script or width) with the
 * birth date — never by name alone. Nothing is searched until one of the two is complete.
 */
export async function findForEnrolment(
	db: Executor,
	caller: Caller,
	criteria: { atena: string; kana: string; birthDate: string }
) {
	requirePermission(caller, 'identity.proof');
	const { atena, kana, birthDate } = criteria;
	if (!atena && !(kana && /^\d{4}-\d{2}-\d{2}$/.test(birthDate))) {
		return { searched: false, results: [] };
	}
	const results = (
		await searchResidents(
			db,
			caller.municipalityCode,
			{
				atena: /^[0-9]{1,15}$/.test(atena) ? atena : atena ? '0' : '',
				name: atena ? '' : kana,
				birthDate: atena ? '' : birthDate,
				address: ''
			},
			20
		)
	).map((row) => ({
		atena_number: row.atenaNumber,
		name_kanji: row.nameKanji,
		name_kana: row.nameKana,
		birth_date: row.birthDate,
		status: row.status
	}));
	await auditAs(db, caller, {
		action: 'resident.search',
		result: 'ok',
		payload: {
			purpose: 'identity_proofing',
			by: atena ? 'atena' : 'kana_birth_date',
			hits: results.length
		}
	});
	return { searched: true, results };
}

/** The person to enrol, with how many passkeys they hold (and how many are flagged). */
export async function proofingPerson(db: Executor, caller: Caller, input: { atena: string }) {
	requirePermission(caller, 'identity.proof');
	const person = await findPerson(db, caller, input.atena);
	const account = await db
		.selectFrom('resident_account')
		.leftJoin('webauthn_credential', (join) =>
			join
				.onRef('webauthn_credential.resident_account_id', '=', 'resident_account.id')
				.on('webauthn_credential.revoked_at', 'is', null)
		)
		.select((eb) => [
			eb.fn.count<string>('webauthn_credential.id').as('passkeys'),
			eb.fn
				.count<string>('webauthn_credential.id')
				.filterWhere('webauthn_credential.flagged_at', 'is not', null)
				.as('flagged')
		])
		.where('resident_account.municipality_code', '=', caller.municipalityCode)
		.where('resident_account.atena_number', '=', person.atena_number)
		.executeTakeFirst();
	await auditAs(db, caller, {
		action: 'resident.view',
		subjectAtenaNumber: person.atena_number,
		result: 'ok',
		payload: { purpose: 'identity_proofing' }
	});
	return {
		person,
		passkeys: Number(account?.passkeys ?? 0),
		flagged: Number(account?.flagged ?? 0)
	};
}

/** A letter with a one-time code, to the address on the register; the PDF to print. */
export async function enrolmentLetter(
	db: Executor,
	caller: Caller,
	input: { atena: string },
	settings: { origin: string },
	now = new Date()
) {
	requirePermission(caller, 'identity.proof');
	const person = await findPerson(db, caller, input.atena);
	if (person.status !== 'resident') throw new ProofingError('not_resident');
	const city = (await findServedMunicipality(db, caller.municipalityCode))!;
	const { code, enrolment } = await db.transaction().execute(async (trx) => {
		const issued = await issueLetterCode(trx, {
			municipalityCode: caller.municipalityCode,
			atenaNumber: person.atena_number,
			issuedBy: caller.id,
			now
		});
		await auditEnrolmentIssued(trx, issued.enrolment, {
			actor: actorOf(caller),
			context: caller.context!
		});
		return issued;
	});
	const content = await renderEnrolmentLetter({
		municipality: city,
		recipient: { postalCode: person.postal_code, address: person.address, name: person.name_kanji },
		code,
		expiresOn: tokyoDate(enrolment.expires_at),
		portalUrl: `${settings.origin}/enrol`,
		issuedOn: tokyoDate(now),
		documentNumber: `ENR-${enrolment.id.slice(0, 8).toUpperCase()}`
	});
	return {
		fileName: `enrolment-letter-${enrolment.id.slice(0, 8)}.pdf`,
		contentType: 'application/pdf',
		content
	};
}

/** A link (and its QR code) the person opens on their phone at the desk. */
export async function deskEnrolment(
	db: Executor,
	caller: Caller,
	input: { atena: string; documents: string[] },
	settings: { origin: string },
	now = new Date()
) {
	requirePermission(caller, 'identity.proof');
	const person = await findPerson(db, caller, input.atena);
	const documents = input.documents.filter((value): value is IdentityDocument =>
		Object.hasOwn(identityDocuments, value)
	);
	if (documents.length === 0) throw new ProofingError('documents_required');
	if (person.status !== 'resident') throw new ProofingError('not_resident');
	const token = await db.transaction().execute(async (trx) => {
		const issued = await issueDeskLink(trx, {
			municipalityCode: caller.municipalityCode,
			atenaNumber: person.atena_number,
			identityDocuments: documents,
			issuedBy: caller.id,
			now
		});
		await auditEnrolmentIssued(trx, issued.enrolment, {
			actor: actorOf(caller),
			context: caller.context!,
			detail: { documents: documents.map((document) => identityDocuments[document]) }
		});
		return issued.token;
	});
	const link = `${settings.origin}/enrol/desk/${token}`;
	const svg = await QRCode.toString(link, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
	return { link, qr: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` };
}
