// Documents issued to the resident or a child they represent (予診票, certificates, notices):
// listed from issued_document, downloaded by an unguessable id and only while the person is
// still represented — a guardian loses a child's documents at the child's 18th birthday like
// every other page about the child.
import { error, type RequestEvent } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages';
import { recordAudit } from '../audit/record';
import { residentActor } from '../auth/http';
import type { ExpressionBuilder } from 'kysely';
import { db, type DB } from '../db';
import { accountOf, representedPeople } from '../residents/household';
import { isUuid } from '../ids';

async function people(event: RequestEvent) {
	const resident = event.locals.resident!;
	return representedPeople(db(), accountOf(resident), new Date());
}

export async function documentsLoad(event: RequestEvent) {
	const resident = event.locals.resident!;
	const household = await people(event);
	const rows = await db()
		.selectFrom('issued_document')
		.select([
			'id',
			'kind',
			'document_number',
			'subject_atena_number',
			'issued_at',
			'available_until'
		])
		.where('municipality_code', '=', resident.municipalityCode)
		.where('released_at', 'is not', null)
		.where(stillAvailable)
		.where(
			'subject_atena_number',
			'in',
			household.map((person) => person.atenaNumber)
		)
		.orderBy('issued_at', 'desc')
		.limit(200)
		.execute();
	await recordAudit(db(), {
		municipalityCode: resident.municipalityCode,
		actor: residentActor(event.locals),
		context: event.locals.audit,
		action: 'document.list',
		result: 'ok',
		payload: { rows: rows.length }
	});
	const names = new Map(household.map((person) => [person.atenaNumber, person.nameKanji]));
	return {
		documents: rows.map((row) => ({
			id: row.id,
			kind: row.kind,
			number: row.document_number,
			person: names.get(row.subject_atena_number) ?? '',
			issuedAt: row.issued_at.toISOString(),
			availableUntil: row.available_until?.toISOString() ?? null
		}))
	};
}

// A disclosure delivered in the portal can be downloaded for a limited time only.
const stillAvailable = (eb: ExpressionBuilder<DB, 'issued_document'>) =>
	eb.or([eb('available_until', 'is', null), eb('available_until', '>', new Date())]);

export async function documentDownload(event: RequestEvent): Promise<Response> {
	const resident = event.locals.resident!;
	const household = await people(event);
	const id = event.params.id ?? '';
	const row = isUuid(id)
		? await db()
				.selectFrom('issued_document')
				.select(['id', 'file_name', 'content', 'subject_atena_number'])
				.where('id', '=', id)
				.where('municipality_code', '=', resident.municipalityCode)
				.where('released_at', 'is not', null)
				.where(stillAvailable)
				.where(
					'subject_atena_number',
					'in',
					household.map((person) => person.atenaNumber)
				)
				.executeTakeFirst()
		: undefined;
	await recordAudit(db(), {
		municipalityCode: resident.municipalityCode,
		actor: residentActor(event.locals),
		context: event.locals.audit,
		action: 'document.download',
		subjectAtenaNumber: row?.subject_atena_number,
		objectType: 'issued_document',
		objectId: id.slice(0, 64),
		result: row ? 'ok' : 'denied'
	});
	if (!row) error(404, m.error_not_found());
	return new Response(new Uint8Array(row.content), {
		headers: {
			'content-type': 'application/pdf',
			'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(row.file_name)}`,
			'cache-control': 'private, no-store',
			'x-content-type-options': 'nosniff'
		}
	});
}
