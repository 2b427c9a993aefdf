// What the back office publishes for the portal to show (issue 27, docs/zones.md), built from
// the tables as they stand: for an account, the people it may act for — its own person and each
// child with a 法定代理人 link not yet ended, not suppressed under a DV 支援措置, still on the
// register — with each one's doses; for a city, its catalogue. The 宛名番号 stays here: the
// portal gets the account's opaque reference to each person.
import { sql } from 'kysely';
import type { AuditContext, AuditEvent } from '../audit/record';
import type { Executor } from '../db';
import { sameCity } from '../db/same-city';
import { isUuid } from '../ids';
import { tokyoDate } from '../time';
import { activeCatalogue } from '../vaccinations/active-catalogue';
import {
	accessEntriesPublished,
	type AccessView,
	type AccountView,
	type CatalogueView,
	type DocumentView,
	type ProjectedAccessEntry
} from '../zone/shapes';
import { personRef } from './household';
import { dosesOnRecord, personKey } from './record-view';

/** How many of an account's newest notices the dashboard shows. */
export const noticesShown = 5;
/** How many of the newest documents the documents page lists. */
const documentsListed = 200;

/**
 * The people each account may act for, as the register stands: the account's own person (none
 * when the account or its person is gone) and each child whose 法定代理人 link has not ended (the
 * portal decides "now" within it with its own clock), is not suppressed under a DV 支援措置, and
 * who is still on the register.
 */
async function accountPeople(db: Executor, accountIds: readonly string[], today: string) {
	const owners = await db
		.selectFrom('resident_account')
		.innerJoin('resident', (join) =>
			sameCity(join, ['resident.atena_number', 'resident_account.atena_number'])
		)
		.select([
			'resident_account.id',
			'resident_account.municipality_code',
			'resident_account.user_handle',
			'resident.atena_number',
			'resident.name_kanji',
			'resident.name_kana',
			'resident.birth_date',
			'resident.sex'
		])
		.where('resident_account.id', 'in', accountIds)
		.execute();
	if (owners.length === 0) return { owners, children: [] };
	const children = await db
		.selectFrom('guardianship as g')
		.innerJoin('resident as child', (join) =>
			sameCity(join, ['child.atena_number', 'g.child_atena_number'])
		)
		.select([
			'g.municipality_code',
			'g.guardian_atena_number',
			'g.valid_from',
			'g.valid_until',
			'child.atena_number',
			'child.name_kanji',
			'child.name_kana',
			'child.birth_date',
			'child.sex'
		])
		.where(({ eb, refTuple, tuple }) =>
			eb(
				refTuple('g.municipality_code', 'g.guardian_atena_number'),
				'in',
				owners.map((owner) => tuple(owner.municipality_code, owner.atena_number))
			)
		)
		.where('g.suppressed_for_dv', '=', false)
		.where('g.valid_until', '>=', today)
		.where('child.status', '=', 'resident')
		.orderBy('child.birth_date')
		.execute();
	return { owners, children };
}

/**
 * The views of the accounts named, built in six reads whatever their number; an account the
 * back office no longer has, or whose own person is not on the register, is null (the portal
 * then shows nothing of it).
 */
export async function accountViews(
	db: Executor,
	accountIds: readonly string[],
	now: Date
): Promise<Map<string, AccountView | null>> {
	const views = new Map<string, AccountView | null>(accountIds.map((id) => [id, null]));
	if (accountIds.length === 0) return views;
	const today = tokyoDate(now);
	const { owners, children } = await accountPeople(db, accountIds, today);
	if (owners.length === 0) return views;
	const [consents, notices] = await Promise.all([
		db
			.selectFrom('signed_act')
			.select(['resident_account_id', sql<Date>`max(signed_at)`.as('signed_at')])
			.where(
				'resident_account_id',
				'in',
				owners.map((owner) => owner.id)
			)
			.where('kind', '=', 'consent')
			.groupBy('resident_account_id')
			.execute(),
		// Each account's newest notices, as many as the dashboard shows.
		db
			.selectFrom((eb) =>
				eb
					.selectFrom('resident_notice')
					.select([
						'resident_notice.id',
						'resident_notice.resident_account_id',
						'resident_notice.kind',
						'resident_notice.created_at',
						'resident_notice.application_id',
						sql<number>`row_number() OVER (PARTITION BY resident_account_id ORDER BY created_at DESC, id)`.as(
							'newest'
						)
					])
					.where(
						'resident_notice.resident_account_id',
						'in',
						owners.map((owner) => owner.id)
					)
					.as('notice')
			)
			.leftJoin('application', 'application.id', 'notice.application_id')
			.select([
				'notice.id',
				'notice.resident_account_id',
				'notice.kind',
				'notice.created_at',
				'notice.application_id',
				'application.reference'
			])
			.where('notice.newest', '<=', noticesShown)
			.orderBy('notice.created_at', 'desc')
			.orderBy('notice.id')
			.execute()
	]);
	const people = [...owners, ...children];
	const [dosesOf, documents] = await Promise.all([
		dosesOnRecord(db, people),
		// Released and still available (a disclosure's copy is there for a limited time).
		db
			.selectFrom('issued_document')
			.select([
				'id',
				'municipality_code',
				'subject_atena_number',
				'kind',
				'document_number',
				'issued_at',
				'available_until'
			])
			.where(({ eb, refTuple, tuple }) =>
				eb(
					refTuple('municipality_code', 'subject_atena_number'),
					'in',
					people.map((person) => tuple(person.municipality_code, person.atena_number))
				)
			)
			.where('released_at', 'is not', null)
			.where((eb) => eb.or([eb('available_until', 'is', null), eb('available_until', '>', now)]))
			.orderBy('issued_at', 'desc')
			.orderBy('id')
			.execute()
	]);
	const consentOf = new Map(consents.map((row) => [row.resident_account_id, row.signed_at]));
	for (const owner of owners) {
		const person = (
			row: (typeof people)[number],
			relation: 'self' | 'child',
			link: { from: string; until: string } | null
		) => ({
			ref: personRef(owner.user_handle, row.atena_number),
			relation,
			nameKanji: row.name_kanji,
			nameKana: row.name_kana,
			birthDate: row.birth_date,
			sex: row.sex as 'male' | 'female',
			from: link?.from ?? null,
			until: link?.until ?? null,
			doses: dosesOf.get(personKey(row)) ?? []
		});
		const own = children.filter(
			(child) =>
				child.municipality_code === owner.municipality_code &&
				child.guardian_atena_number === owner.atena_number
		);
		const consentedAt = consentOf.get(owner.id);
		const seen = new Set(
			[owner, ...own].map((row) =>
				personKey({ ...row, municipality_code: owner.municipality_code })
			)
		);
		views.set(owner.id, {
			people: [
				person(owner, 'self', null),
				...own.map((child) =>
					person(child, 'child', { from: child.valid_from, until: child.valid_until })
				)
			],
			notices: notices
				.filter((notice) => notice.resident_account_id === owner.id)
				.map((notice) => ({
					id: notice.id,
					kind: notice.kind,
					at: notice.created_at.toISOString(),
					applicationId: notice.application_id,
					reference: notice.reference
				})),
			documents: documents
				.filter((document) =>
					seen.has(
						personKey({
							municipality_code: document.municipality_code,
							atena_number: document.subject_atena_number
						})
					)
				)
				.slice(0, documentsListed)
				.map((document) => ({
					id: document.id,
					kind: document.kind,
					number: document.document_number,
					ref: personRef(owner.user_handle, document.subject_atena_number),
					issuedAt: document.issued_at.toISOString(),
					availableUntil: document.available_until?.toISOString() ?? null
				})),
			// The publisher adds the applications and the desk requests (applications/ and
			// desk/projection.ts: a resident's folder does not read theirs).
			applications: [],
			deskRequests: [],
			disclosures: [],
			consentedAt: consentedAt ? new Date(consentedAt).toISOString() : null
		});
	}
	return views;
}

/**
 * The 閲覧履歴 of each person the accounts named see (staff entries about them, newest first,
 * names only where the city shows them): one read per city whatever the number of people; an
 * account the back office no longer has is null.
 */
export async function accessViews(
	db: Executor,
	accountIds: readonly string[],
	now: Date
): Promise<Map<string, AccessView | null>> {
	const views = new Map<string, AccessView | null>(accountIds.map((id) => [id, null]));
	if (accountIds.length === 0) return views;
	const { owners, children } = await accountPeople(db, accountIds, tokyoDate(now));
	const cities = [...new Set(owners.map((owner) => owner.municipality_code))];
	const logs = new Map<string, ProjectedAccessEntry[]>();
	for (const city of cities) {
		const people = [
			...new Set(
				[...owners, ...children]
					.filter((person) => person.municipality_code === city)
					.map((person) => person.atena_number)
			)
		];
		const [settings, { rows }] = await Promise.all([
			db
				.selectFrom('municipality')
				.select('access_log_shows_staff_names')
				.where('municipality_code', '=', city)
				.executeTakeFirstOrThrow(),
			// Each person's newest entries and one more (whether older ones exist), through the
			// index on (city, subject, seq) of staff entries.
			sql<{
				atena_number: string;
				occurred_at: Date;
				action: string;
				actor_role: string;
				department: string | null;
				reason: string | null;
				display_name: string | null;
			}>`SELECT person.atena_number, entry.occurred_at, entry.action, entry.actor_role,
					entry.department, entry.reason, staff.display_name
				FROM unnest(${people}::text[]) AS person (atena_number)
				CROSS JOIN LATERAL (
					SELECT occurred_at, action, actor_role, department, reason, actor_id, seq
					FROM audit.entry
					WHERE municipality_code = ${city} AND subject_atena_number = person.atena_number
						AND actor_type = 'staff'
					ORDER BY seq DESC
					LIMIT ${accessEntriesPublished + 1}) AS entry
				LEFT JOIN staff_user staff ON staff.id::text = entry.actor_id
				ORDER BY person.atena_number, entry.seq DESC`.execute(db)
		]);
		for (const row of rows) {
			const key = personKey({ municipality_code: city, atena_number: row.atena_number });
			const log = logs.get(key) ?? [];
			log.push({
				at: row.occurred_at.toISOString(),
				action: row.action,
				role: row.actor_role,
				department: row.department,
				staffName: settings.access_log_shows_staff_names ? row.display_name : null,
				reason: row.reason
			});
			logs.set(key, log);
		}
	}
	for (const owner of owners) {
		const seen = [
			owner,
			...children.filter(
				(child) =>
					child.municipality_code === owner.municipality_code &&
					child.guardian_atena_number === owner.atena_number
			)
		];
		views.set(owner.id, {
			people: seen.map((person) => {
				const log = logs.get(personKey({ ...person, municipality_code: owner.municipality_code }));
				return {
					ref: personRef(owner.user_handle, person.atena_number),
					entries: (log ?? []).slice(0, accessEntriesPublished),
					more: (log?.length ?? 0) > accessEntriesPublished
				};
			})
		});
	}
	return views;
}

/**
 * Released documents' files, for the portal to hand to whoever its account view lists them for;
 * null for one that is not released, no longer available, or gone.
 */
export async function documentViews(
	db: Executor,
	ids: readonly string[],
	now: Date
): Promise<Map<string, DocumentView | null>> {
	const views = new Map<string, DocumentView | null>(ids.map((id) => [id, null]));
	if (ids.length === 0) return views;
	const rows = await db
		.selectFrom('issued_document')
		.select(['id', 'file_name', 'content', 'available_until'])
		.where('id', 'in', ids)
		.where('released_at', 'is not', null)
		.where((eb) => eb.or([eb('available_until', 'is', null), eb('available_until', '>', now)]))
		.execute();
	for (const row of rows)
		views.set(row.id, {
			fileName: row.file_name,
			contentBase64: row.content.toString('base64'),
			availableUntil: row.available_until?.toISOString() ?? null
		});
	return views;
}

/** The city's active catalogue, as the portal computes what is due from it. */
export async function catalogueViewOf(
	db: Executor,
	municipalityCode: string
): Promise<CatalogueView> {
	return { doses: await activeCatalogue(db, municipalityCode) };
}

/**
 * An id the portal chose, as the audit log keeps it: what an id is spelt with, and no run of
 * digits the log would refuse as a possible 個人番号 (the whole batch would fail).
 */
export const keptFromPortal = (text: string) =>
	text
		.replace(/[^A-Za-z0-9_-]/g, '')
		.replace(/[0-9]{12,}/g, '…')
		.slice(0, 64) || '-';

/**
 * The audit entries of what a portal page reported it showed (issue 27): each reference resolved
 * to the person among the account's own and every child ever linked to it — a page may have shown
 * a child whose link ended a moment before the report arrived, and it was shown — or, when it is
 * none of them, a refused look at someone else's reference (an IDOR attempt leaves a trace). A
 * download names the document, checked here to be about the person the page named.
 */
export async function portalViewAudits(
	db: Executor,
	account: { id: string; municipality_code: string; atena_number: string; user_handle: Buffer },
	input: {
		page: 'dashboard' | 'record' | 'documents' | 'document' | 'access' | 'requests';
		refs: readonly string[];
		rows?: number;
		documentId?: string;
		context?: AuditContext;
		portalSeq: string;
	}
): Promise<AuditEvent[]> {
	const linked = await db
		.selectFrom('guardianship')
		.select('child_atena_number')
		.where('municipality_code', '=', account.municipality_code)
		.where('guardian_atena_number', '=', account.atena_number)
		.execute();
	const people = new Map<string, { atena: string; relation: 'self' | 'child' }>([
		[
			personRef(account.user_handle, account.atena_number),
			{ atena: account.atena_number, relation: 'self' }
		],
		...linked.map(
			(link) =>
				[
					personRef(account.user_handle, link.child_atena_number),
					{ atena: link.child_atena_number, relation: 'child' as const }
				] as const
		)
	]);
	const actor = (relation?: 'self' | 'child') => ({
		type: 'resident' as const,
		id: account.id,
		role: relation === 'child' ? ('guardian' as const) : ('resident' as const)
	});
	const base = {
		municipalityCode: account.municipality_code,
		context: input.context
	};
	if (input.page === 'requests')
		return [
			{
				...base,
				actor: actor(),
				action: 'desk.list',
				subjectAtenaNumber: account.atena_number,
				result: 'ok',
				payload: { own: input.rows ?? 0, portalSeq: input.portalSeq }
			}
		];
	if (input.page === 'documents')
		return [
			{
				...base,
				actor: actor(),
				action: 'document.list',
				result: 'ok',
				payload: { rows: input.rows ?? 0, portalSeq: input.portalSeq }
			}
		];
	if (input.page === 'document') {
		const person = input.refs[0] ? people.get(input.refs[0]) : undefined;
		const documentId = keptFromPortal(input.documentId ?? '');
		const about =
			person && isUuid(documentId)
				? await db
						.selectFrom('issued_document')
						.select('id')
						.where('id', '=', documentId)
						.where('municipality_code', '=', account.municipality_code)
						.where('subject_atena_number', '=', person.atena)
						.executeTakeFirst()
				: undefined;
		return [
			{
				...base,
				actor: actor(person?.relation),
				action: 'document.download',
				...(about ? { subjectAtenaNumber: person!.atena } : {}),
				objectType: 'issued_document',
				objectId: documentId,
				result: about ? 'ok' : 'denied',
				payload: { portalSeq: input.portalSeq }
			}
		];
	}
	return input.refs.map((ref): AuditEvent => {
		const person = people.get(ref);
		return {
			...base,
			actor: actor(person?.relation),
			// The 閲覧履歴 is a look at the log about the person; the other pages show their record.
			action: input.page === 'access' ? 'audit.view' : 'vaccination.view',
			...(person
				? {
						subjectAtenaNumber: person.atena,
						result: 'ok',
						payload: { page: input.page, portalSeq: input.portalSeq }
					}
				: {
						objectType: 'person_ref',
						objectId: keptFromPortal(ref),
						result: 'denied',
						payload: { reason: 'not_represented', portalSeq: input.portalSeq }
					})
		};
	});
}
