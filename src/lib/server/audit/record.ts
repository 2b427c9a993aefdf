// The one entry point for audit entries. Domain functions call it with the transaction that
// makes their change, so the entry commits or rolls back with it. Reads (views, searches) that
// have no transaction of their own append in autocommit: one statement, audit.append (migration
// 0028), which locks the chain, hashes and inserts inside the server.
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

export async function recordAudit(
	executor: Executor,
	event: AuditEvent
): Promise<{ seq: string; entryHash: Buffer }> {
	return (await recordAudits(executor, [event]))[0]!;
}

/**
 * Several entries of one municipality's chain in one round trip (a page that shows a household
 * logs a view per person). Outside a transaction the chain lock lasts only as long as the append
 * itself and its commit; inside one it lasts until that transaction ends, so callers write their
 * audit entries last.
 */
export async function recordAudits(
	executor: Executor,
	events: readonly AuditEvent[]
): Promise<{ seq: string; entryHash: Buffer }[]> {
	if (events.length === 0) return [];
	const municipalityCode = events[0]!.municipalityCode;
	if (events.some((event) => event.municipalityCode !== municipalityCode)) {
		throw new AuditRefusedError('one append holds the entries of one municipality');
	}
	for (const event of events) refuseForbiddenContent(event);
	const { rows } = await sql<{ seq: string; entry_hash: Buffer }>`
		SELECT seq, entry_hash
		FROM audit.append(${municipalityCode}, ${genesisHash}, ${JSON.stringify(events.map(entryFor))}::jsonb)`.execute(
		executor
	);
	return rows.map((row) => ({ seq: String(row.seq), entryHash: row.entry_hash }));
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
