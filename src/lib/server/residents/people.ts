// A resident's door to the people whose records they may see: themself and the children they
// represent now. The dashboard, a person's record and their 閲覧履歴 read what the back office
// published to the portal zone (issue 27, residents/projection.ts says who and what). Another
// reference is "not found", with an audit entry (an IDOR attempt leaves a trace); every page
// shown is a view in the person's access log.
import { sql } from 'kysely';
import { requireResident, type Caller, type ResidentCaller } from '../audit/caller';
import type { PortalZoneExecutor } from '../db';
import { AccessRefused, DomainError } from '../errors';
import { m } from '$lib/paraglide/messages';
import { tokyoDate } from '../time';
import { addItem } from '../zone/items';
import { projectedAccess, projectedView } from '../zone/projection';
import { accessEntriesPublished, type ProjectedNotice, type ViewItemBody } from '../zone/shapes';
import { recordsOf } from './record-view';
import { accessActionLabel } from './access-actions';
import type { NoticeKind } from '../notifications/notices';
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

/** Entries per page of the 閲覧履歴. */
export const accessPageSize = 50;

/**
 * Who in the city used the person's records (閲覧履歴), newest first, a page at a time (`from`:
 * how many newer entries the pages before showed), as the back office published it.
 */
export async function personAccessLog(
	zone: PortalZoneExecutor,
	caller: Caller,
	input: { ref: string; from: string | null },
	now = new Date()
) {
	requireResident(caller);
	const { people } = await shownPeople(zone, caller, now);
	const person = people.find((candidate) => candidate.ref === input.ref);
	// The look is reported either way: another account's reference leaves a refused entry.
	await reportViews(zone, caller, { page: 'access', refs: [input.ref] }, now);
	if (!person) throw new AccessRefused('not_found');
	const log = (await projectedAccess(zone, caller.id))?.people.find(
		(candidate) => candidate.ref === person.ref
	);
	if (!log) throw new ProjectionPending();
	const from = /^[0-9]{1,4}$/.test(input.from ?? '') ? Number(input.from) : 0;
	const next = from + accessPageSize;
	return {
		ref: person.ref,
		name: person.nameKanji,
		entries: log.entries
			.slice(from, next)
			.map((entry) => ({ ...entry, label: accessActionLabel(entry.action) })),
		older: next < log.entries.length ? String(next) : null,
		// The last page of what is published, with older entries kept inside: a 開示請求 gives them.
		moreByRequest: next >= log.entries.length && log.more ? accessEntriesPublished : null,
		paged: from > 0
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
		// What the account has sent (the applications' doors show those about the people shown),
		// and its 開示・訂正・利用停止請求 (about its own person only).
		applications: account.applications,
		deskRequests: account.deskRequests,
		disclosures: account.disclosures,
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
