// A resident's door to the people whose records they may see: themself and the children they
// represent now. The dashboard and a person's record read what the back office published to the
// portal zone (issue 27, residents/projection.ts says who); the access log still reads the back
// office's database (household.ts). Another reference is "not found", with an audit entry (an
// IDOR attempt leaves a trace); every page shown is a view in the person's access log.
import { sql } from 'kysely';
import type { AuditAction } from '../audit/actions';
import { recordAudit, type Actor } from '../audit/record';
import { requireResident, type Caller, type ResidentCaller } from '../audit/caller';
import type { Executor, PortalZoneExecutor } from '../db';
import { AccessRefused, DomainError } from '../errors';
import { m } from '$lib/paraglide/messages';
import { tokyoDate } from '../time';
import { addItem } from '../zone/items';
import { projectedView } from '../zone/projection';
import type { ProjectedNotice, ViewItemBody } from '../zone/shapes';
import { recordsOf } from './record-view';
import { accessActionLabel } from './access-actions';
import type { NoticeKind } from '../notifications/notices';
import { accessLog, representedPeople, type Person } from './household';
import { nameInEnglish } from './passport-romaji';

/**
 * The back office has not published the account's view to the portal yet (an account a moment
 * old, a portal zone restored from a backup): said as such (503, "open it again in a moment"),
 * never a crash.
 */
export class ProjectionPending extends DomainError<'not_published'> {
	protected readonly messages = { not_published: m.portal_projection_pending };
	constructor() {
		super('not_published', 503);
	}
}

async function representedPerson(
	db: Executor,
	caller: ResidentCaller,
	ref: string,
	action: AuditAction,
	now: Date
): Promise<Person> {
	// The caller is the account: its id, city and own 宛名番号.
	const people = await representedPeople(db, caller, now);
	const person = people.find((candidate) => candidate.ref === ref);
	const actor: Actor = {
		type: 'resident',
		id: caller.id,
		role: person && person.relation !== 'self' ? 'guardian' : 'resident'
	};
	await recordAudit(db, {
		municipalityCode: caller.municipalityCode,
		actor,
		context: caller.context,
		action,
		...(person
			? { subjectAtenaNumber: person.atenaNumber, result: 'ok' }
			: {
					objectType: 'person_ref',
					objectId: ref.slice(0, 64),
					result: 'denied',
					payload: { reason: 'not_represented' }
				})
	});
	if (!person) throw new AccessRefused('not_found');
	return person;
}

/** The person's 予防接種の記録 and what is due next, in the page's language. */
export async function personRecord(
	zone: PortalZoneExecutor,
	caller: Caller,
	input: { ref: string; locale: 'ja' | 'en' },
	now = new Date()
) {
	requireResident(caller);
	const { people, catalogue } = await shownPeople(zone, caller, now);
	const person = people.find((candidate) => candidate.ref === input.ref);
	// The look is reported either way: another account's reference leaves a refused entry.
	await reportViews(zone, caller, { page: 'record', refs: [input.ref] }, now);
	if (!person) throw new AccessRefused('not_found');
	const [record] = recordsOf(catalogue, [person], input.locale, tokyoDate(now));
	return {
		ref: person.ref,
		person: {
			// In English, with the romaji beside the kanji (issue 25).
			name: input.locale === 'en' ? nameInEnglish(person) : person.nameKanji,
			kana: person.nameKana,
			birthDate: person.birthDate,
			relation: person.relation
		},
		...record!
	};
}

/** Who used the person's records (閲覧履歴), newest first, a page at a time. */
export async function personAccessLog(
	db: Executor,
	caller: Caller,
	input: { ref: string; before: string | null },
	now = new Date()
) {
	requireResident(caller);
	const person = await representedPerson(db, caller, input.ref, 'audit.view', now);
	const city = await db
		.selectFrom('municipality')
		.select('access_log_shows_staff_names')
		.where('municipality_code', '=', caller.municipalityCode)
		.executeTakeFirstOrThrow();
	const page = await accessLog(db, caller.municipalityCode, person, {
		showNames: city.access_log_shows_staff_names,
		before: input.before
	});
	return {
		ref: person.ref,
		name: person.nameKanji,
		entries: page.entries.map((entry) => ({ ...entry, label: accessActionLabel(entry.action) })),
		older: page.older,
		paged: input.before !== null
	};
}

/**
 * The household dashboard: the resident and each child they represent now, with what is due, the
 * account's notices, and when the consent to electronic notices was taken in — all from the projection the back office
 * published to the portal zone (issue 27); the views are reported for its audit log.
 */
export async function householdDashboard(
	zone: PortalZoneExecutor,
	caller: Caller,
	input: { locale: 'ja' | 'en' },
	now = new Date()
) {
	requireResident(caller);
	const { people, catalogue, consentedAt, notices } = await shownPeople(zone, caller, now);
	const records = recordsOf(catalogue, people, input.locale, tokyoDate(now));
	await reportViews(
		zone,
		caller,
		{ page: 'dashboard', refs: people.map((person) => person.ref) },
		now
	);
	const household = people.map((person, index) => {
		const record = records[index]!;
		return {
			ref: person.ref,
			// In English, with the romaji beside the kanji (issue 25).
			name: input.locale === 'en' ? nameInEnglish(person) : person.nameKanji,
			relation: person.relation,
			birthDate: person.birthDate,
			given: record.history.length,
			due: record.due
				.filter((dose) => dose.status !== 'upcoming')
				.map((dose) => ({
					key: `${dose.vaccineCode}:${dose.doseCode}`,
					label: `${dose.vaccineName} ${dose.doseLabel}`,
					late: dose.status === 'late'
				}))
		};
	});
	return {
		name: people[0]!.nameKanji,
		household,
		consentedAt,
		notices: await shownNotices(zone, caller, notices)
	};
}

/**
 * The account's newest notices as published, each marked unread until it has been shown once:
 * showing them marks every notice up to the newest shown as seen (the portal's own state).
 */
async function shownNotices(
	zone: PortalZoneExecutor,
	caller: ResidentCaller,
	notices: readonly ProjectedNotice[]
) {
	const seen = await zone
		.selectFrom('notice_seen')
		.select('seen_up_to')
		.where('resident_account_id', '=', caller.id)
		.executeTakeFirst();
	const unread = (at: string) => !seen || Date.parse(at) > seen.seen_up_to.getTime();
	if (notices.some((notice) => unread(notice.at))) {
		const newest = new Date(Math.max(...notices.map((notice) => Date.parse(notice.at))));
		await zone
			.insertInto('notice_seen')
			.values({ resident_account_id: caller.id, seen_up_to: newest })
			.onConflict((conflict) =>
				conflict.column('resident_account_id').doUpdateSet({
					seen_up_to: sql<Date>`greatest(notice_seen.seen_up_to, excluded.seen_up_to)`
				})
			)
			.execute();
	}
	return notices.map((notice) => ({
		id: notice.id,
		kind: notice.kind as NoticeKind,
		at: notice.at,
		unread: unread(notice.at),
		applicationId: notice.applicationId,
		reference: notice.reference
	}));
}

/**
 * The people the account may act for now, as the back office last published them: itself, and
 * each child whose link has begun and not ended today (the portal's clock decides "now", so a
 * link that ends at midnight ends on time). Not published yet (an account a moment old, a portal
 * just restored): a refusal that says so, never another account's data or a crash.
 * @audit none — read for a door (the dashboard, a record, the documents), which reports what it shows.
 */
export async function shownPeople(zone: PortalZoneExecutor, caller: ResidentCaller, now: Date) {
	const { account, catalogue } = await projectedView(zone, caller.id, caller.municipalityCode);
	if (!account) throw new ProjectionPending();
	const today = tokyoDate(now);
	const people = account.people.filter(
		(person) =>
			person.relation === 'self' ||
			(person.from !== null &&
				person.from <= today &&
				person.until !== null &&
				today <= person.until)
	);
	const shown = new Set(people.map((person) => person.ref));
	return {
		people,
		catalogue,
		consentedAt: account.consentedAt,
		notices: account.notices,
		// What the account has sent (the applications' doors show those about the people shown).
		applications: account.applications,
		// Documents about the people shown now, still available.
		documents: account.documents.filter(
			(document) =>
				shown.has(document.ref) &&
				(document.availableUntil === null || Date.parse(document.availableUntil) > now.getTime())
		)
	};
}

/**
 * What a page showed, sent to the back office's audit log as an item (issue 27): the people whose
 * records it showed (or was asked for), the rows of a list, the document downloaded.
 * @audit none — it is the audit entry: the item the back office appends to its log.
 */
export async function reportViews(
	zone: PortalZoneExecutor,
	caller: ResidentCaller,
	view: Omit<ViewItemBody, 'context'>,
	now: Date
) {
	const body: ViewItemBody = {
		...view,
		refs: view.refs.map((ref) => ref.slice(0, 64)),
		...(view.documentId ? { documentId: view.documentId.slice(0, 64) } : {}),
		...(caller.context ? { context: caller.context } : {})
	};
	await addItem(zone, {
		kind: 'view',
		resident_account_id: caller.id,
		body: JSON.stringify(body),
		arrived_at: now
	});
}
