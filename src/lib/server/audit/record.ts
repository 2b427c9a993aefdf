// The one entry point for audit entries. Domain functions call it with the transaction that
// makes their change, so the entry commits or rolls back with it; it is chained as that
// transaction commits (migration 0029). Reads (views, searches) that have no transaction of
// their own append in autocommit, grouped with the entries of other requests that arrive
// meanwhile: one statement, audit.append (migration 0028), which locks the chain, hashes and
// inserts inside the server.
import { sql } from 'kysely';
import type { Executor } from '../db';
import { findMyNumbers } from '../mynumber/check-digit';
import { auditActions, isAuditAction, type AuditAction } from './actions';
import { canonicalEncoding, genesisHash, payloadHash, type ChainedFields } from './chain';

export type Actor =
	| { type: 'staff'; id: string; role: string; department: string | null }
	| { type: 'resident'; id: string; role: 'resident' | 'guardian' }
	| { type: 'system'; id: string; role: 'system' }
	/** Before sign-in: a failed ceremony with no known account. */
	| { type: 'anonymous'; id: 'anonymous'; role: 'anonymous' };

/** Where a request came from; built once per request in hooks.server.ts. */
export type AuditContext = {
	requestId: string;
	ip: string | null;
	userAgent: string | null;
	sessionHash: string | null;
};

export type AuditEvent = {
	municipalityCode: string;
	actor: Actor;
	context?: AuditContext;
	action: AuditAction;
	subjectAtenaNumber?: string;
	objectType?: string;
	objectId?: string;
	reason?: string;
	result?: 'ok' | 'denied' | 'error';
	/** Structured detail (e.g. search criteria). Kept apart from the chain so it can be erased. */
	payload?: Record<string, unknown>;
};

export class AuditRefusedError extends Error {
	override name = 'AuditRefusedError';
}

/** Someone typed a 個人番号 into a field that reaches the log: their input, not a fault (400). */
export class MyNumberInAuditError extends AuditRefusedError {
	override name = 'MyNumberInAuditError';
}

// Keys that would carry what the log must never hold (LOG-41 in the security notes).
const forbiddenPayloadKey =
	/my_?number|individual_number|passkey|credential|challenge|assertion|attestation|password|secret|token|diagnos|symptom|passport|file_?content/i;

function refuseForbiddenContent(event: AuditEvent): void {
	if (!isAuditAction(event.action))
		throw new AuditRefusedError(`unknown audit action ${event.action}`);
	if (auditActions[event.action].reasonRequired && !event.reason?.trim()) {
		throw new AuditRefusedError(`${event.action} requires a reason`);
	}
	const texts = [
		event.reason,
		event.objectId,
		event.context?.userAgent,
		event.payload && JSON.stringify(event.payload)
	];
	// A UUID's last group is 12 hex digits and sometimes all decimal digits with a valid check
	// digit; identifiers are not personal numbers, so UUIDs are taken out before the scan.
	const withoutUuids = (text: string) =>
		text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '');
	if (texts.some((text) => text && findMyNumbers(withoutUuids(text)).length > 0)) {
		throw new MyNumberInAuditError('an audit entry may not contain a 個人番号');
	}
	const visit = (value: unknown): void => {
		if (value && typeof value === 'object') {
			for (const [key, item] of Object.entries(value)) {
				if (forbiddenPayloadKey.test(key))
					throw new AuditRefusedError(`audit payload key ${key} is not allowed`);
				visit(item);
			}
		}
	};
	visit(event.payload);
}

export async function recordAudit(executor: Executor, event: AuditEvent): Promise<void> {
	await recordAudits(executor, [event]);
}

/**
 * Several entries of one municipality's chain in one round trip (a page that shows a household
 * logs a view per person). Inside a transaction the entries commit or roll back with it: they
 * are chained when it commits (migration 0029), so the chain lock is not held while the app
 * finishes its transaction. Outside one, they join the next group append (below).
 */
export async function recordAudits(
	executor: Executor,
	events: readonly AuditEvent[]
): Promise<void> {
	if (events.length === 0) return;
	const municipalityCode = events[0]!.municipalityCode;
	if (events.some((event) => event.municipalityCode !== municipalityCode)) {
		throw new AuditRefusedError('one append holds the entries of one municipality');
	}
	for (const event of events) refuseForbiddenContent(event);
	const entries = events.map(entryFor);
	if (executor.isTransaction) {
		await sql`
			INSERT INTO audit.pending (municipality_code, genesis, entries)
			VALUES (${municipalityCode}, ${genesisHash}, ${JSON.stringify(entries)}::jsonb)`.execute(executor);
	} else {
		await appendTogether(executor, municipalityCode, entries);
	}
}

type ChainEntry = ReturnType<typeof entryFor>;

async function append(
	executor: Executor,
	municipalityCode: string,
	entries: readonly ChainEntry[]
): Promise<void> {
	await sql`
		SELECT FROM audit.append(${municipalityCode}, ${genesisHash}, ${JSON.stringify(entries)}::jsonb)`.execute(
		executor
	);
}

// Group commit for the entries of reads (views, searches), which have no transaction of their
// own. Every append holds the municipality's chain lock through its commit and WAL flush, so
// under load requests queued on that lock one by one (issue 10: 10 of an append's 12 ms at
// 80 rps were spent waiting for it). Here the first entry goes at once; whatever arrives while
// an append is in flight waits for it to finish and then goes in the next one, however many
// requests that is: one lock, one commit, one flush for all of them. Each caller still gets
// its answer only once its entries are committed, so a page is never shown unlogged.
type Waiter = {
	entries: readonly ChainEntry[];
	resolve: () => void;
	reject: (error: unknown) => void;
};
type GroupQueue = { waiting: Waiter[]; appending: boolean };

const groupQueues = new WeakMap<Executor, Map<string, GroupQueue>>();
/** Entries per group append: a bounded statement, however long the queue. */
const maxGroupEntries = 256;

function appendTogether(
	database: Executor,
	municipalityCode: string,
	entries: readonly ChainEntry[]
): Promise<void> {
	let byMunicipality = groupQueues.get(database);
	if (!byMunicipality) groupQueues.set(database, (byMunicipality = new Map()));
	let queue = byMunicipality.get(municipalityCode);
	if (!queue) byMunicipality.set(municipalityCode, (queue = { waiting: [], appending: false }));
	const appended = new Promise<void>((resolve, reject) =>
		queue.waiting.push({ entries, resolve, reject })
	);
	if (!queue.appending) void drain(database, municipalityCode, queue);
	return appended;
}

async function drain(database: Executor, municipalityCode: string, queue: GroupQueue) {
	queue.appending = true;
	try {
		while (queue.waiting.length > 0) {
			const group: Waiter[] = [];
			let size = 0;
			while (queue.waiting.length > 0) {
				const next = queue.waiting[0]!;
				if (group.length > 0 && size + next.entries.length > maxGroupEntries) break;
				group.push(queue.waiting.shift()!);
				size += next.entries.length;
			}
			try {
				await append(
					database,
					municipalityCode,
					group.flatMap((waiter) => waiter.entries)
				);
				for (const waiter of group) waiter.resolve();
			} catch (error) {
				if (group.length === 1) group[0]!.reject(error);
				// One caller's entries must not fail the others': each goes again on its own.
				else
					await Promise.all(
						group.map((waiter) =>
							append(database, municipalityCode, waiter.entries).then(waiter.resolve, waiter.reject)
						)
					);
			}
		}
	} finally {
		queue.appending = false;
	}
}

// Placeholders for the two fields the server fills in under the chain lock (migration 0028).
const seqMark = '@@seq@@';
const timeMark = '@@occurred_at@@';
const cut = `${JSON.stringify(seqMark)},${JSON.stringify(timeMark)}`;

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text as it will be stored: a lone UTF-16 surrogate (a broken character a browser can send)
 * becomes U+FFFD, as PostgreSQL would store it, so the hash covers what the verifier reads back.
 */
function wellFormed<T>(value: T): T {
	if (typeof value === 'string') return value.replace(loneSurrogate, '\uFFFD') as T;
	if (Array.isArray(value)) return value.map(wellFormed) as T;
	const plain =
		value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype;
	if (plain) {
		return Object.fromEntries(
			Object.entries(value).map(([key, item]) => [wellFormed(key), wellFormed(item)])
		) as T;
	}
	return value;
}

/** An entry as audit.append takes it: its columns, and its canonical encoding cut around seq. */
function entryFor(original: AuditEvent) {
	const event = wellFormed(original);
	const fields: ChainedFields = {
		municipalityCode: event.municipalityCode,
		seq: seqMark,
		occurredAt: timeMark,
		actorType: event.actor.type,
		actorId: event.actor.id,
		actorRole: event.actor.role,
		department: event.actor.type === 'staff' ? event.actor.department : null,
		ip: event.context?.ip ?? null,
		userAgent: event.context?.userAgent?.slice(0, 512) ?? null,
		sessionHash: event.context?.sessionHash ?? null,
		requestId: event.context?.requestId ?? null,
		action: event.action,
		subjectAtenaNumber: event.subjectAtenaNumber ?? null,
		objectType: event.objectType ?? null,
		objectId: event.objectId ?? null,
		reason: event.reason?.trim() || null,
		result: event.result ?? 'ok',
		payloadHash: event.payload ? payloadHash(event.payload) : null
	};
	const encoding = canonicalEncoding(fields);
	// seq and occurred_at come right after the municipality code, before any field a person can
	// type, so the first occurrence is theirs (inside a JSON string the quotes would be escaped).
	const at = encoding.indexOf(cut);
	return {
		head: encoding.slice(0, at),
		tail: encoding.slice(at + cut.length),
		actor_type: fields.actorType,
		actor_id: fields.actorId,
		actor_role: fields.actorRole,
		department: fields.department,
		ip: fields.ip,
		user_agent: fields.userAgent,
		session_hash: fields.sessionHash,
		request_id: fields.requestId,
		action: fields.action,
		subject_atena_number: fields.subjectAtenaNumber,
		object_type: fields.objectType,
		object_id: fields.objectId,
		reason: fields.reason,
		result: fields.result,
		payload_hash: fields.payloadHash?.toString('hex') ?? null,
		...(event.payload ? { payload: event.payload } : {})
	};
}
