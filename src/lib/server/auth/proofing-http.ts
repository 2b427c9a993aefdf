// The staff side of identity proofing: finding the person, a letter with a code, a desk link.
import { error, fail, type RequestEvent } from '@sveltejs/kit';
import QRCode from 'qrcode';
import { m } from '$lib/paraglide/messages';
import { config } from '../config';
import { db } from '../db';
import { renderEnrolmentLetter } from '../documents/enrolment-letter';
import { tokyoDate } from '../time';
import { requirePermission } from '../staff/permissions';
import {
	auditEnrolmentIssued,
	identityDocuments,
	issueDeskLink,
	issueLetterCode,
	type IdentityDocument
} from './enrolment';
import { staffActor } from './http';
import { servedMunicipality } from '../municipality/served';
import { formOf } from '../http/form';

export async function findPerson(event: RequestEvent, atenaNumber: string) {
	const staff = requirePermission(event.locals, 'identity.proof');
	if (!/^[0-9]{1,15}$/.test(atenaNumber)) error(404);
	const person = await db()
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
		.where('municipality_code', '=', staff.municipalityCode)
		.where('atena_number', '=', atenaNumber)
		.executeTakeFirst();
	if (!person) error(404);
	return { staff, person };
}

export async function issueLetter(event: RequestEvent): Promise<Response> {
	const { staff, person } = await findPerson(event, event.params.atena ?? '');
	if (person.status !== 'resident') error(409, m.proofing_not_resident());
	const city = await servedMunicipality();
	const now = new Date();
	const { code, enrolment } = await db()
		.transaction()
		.execute(async (trx) => {
			const issued = await issueLetterCode(trx, {
				municipalityCode: staff.municipalityCode,
				atenaNumber: person.atena_number,
				issuedBy: staff.id,
				now
			});
			await auditEnrolmentIssued(trx, issued.enrolment, {
				actor: staffActor(event.locals),
				context: event.locals.audit
			});
			return issued;
		});
	const pdf = await renderEnrolmentLetter({
		municipality: city,
		recipient: { postalCode: person.postal_code, address: person.address, name: person.name_kanji },
		code,
		expiresOn: tokyoDate(enrolment.expires_at),
		portalUrl: `${config().origin}/enrol`,
		issuedOn: tokyoDate(now),
		documentNumber: `ENR-${enrolment.id.slice(0, 8).toUpperCase()}`
	});
	return new Response(Buffer.from(pdf), {
		headers: {
			'Content-Type': 'application/pdf',
			'Content-Disposition': `attachment; filename="enrolment-letter-${enrolment.id.slice(0, 8)}.pdf"`
		}
	});
}

export async function issueDesk(event: RequestEvent) {
	const { staff, person } = await findPerson(event, event.params.atena ?? '');
	const form = await formOf(event.request);
	const documents = form
		.getAll('documents')
		.map(String)
		.filter((value): value is IdentityDocument => Object.hasOwn(identityDocuments, value));
	if (documents.length === 0) return fail(400, { message: m.proofing_documents_required() });
	if (person.status !== 'resident') return fail(409, { message: m.proofing_not_resident() });
	const token = await db()
		.transaction()
		.execute(async (trx) => {
			const issued = await issueDeskLink(trx, {
				municipalityCode: staff.municipalityCode,
				atenaNumber: person.atena_number,
				identityDocuments: documents,
				issuedBy: staff.id,
				now: new Date()
			});
			await auditEnrolmentIssued(trx, issued.enrolment, {
				actor: staffActor(event.locals),
				context: event.locals.audit,
				detail: { documents: documents.map((document) => identityDocuments[document]) }
			});
			return issued.token;
		});
	const link = `${config().origin}/enrol/desk/${token}`;
	const svg = await QRCode.toString(link, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
	return { link, qr: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` };
}
