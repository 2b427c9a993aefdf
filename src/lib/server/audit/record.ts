// The one entry point for audit entries. Domain functions call it with the transaction that
// makes their change, so the entry commits or rolls back with it. Reads (views, searches) that
// have no transaction of their own get a short one here.
import { sql } from 'kysely';
import type { Executor } from '../db';
import { findMyNumbers } from '../mynumber/check-digit';
import { auditActions, isAuditAction, type AuditAction } from './actions';
import { chainTime, entryHash, genesisHash, payloadHash, type ChainedFields } from './chain';

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
	refuseForbiddenContent(event);
	if (executor.isTransaction) return append(executor, event);
	return executor
		.transaction()
		.setIsolationLevel('read committed')
		.execute((trx) => append(trx, event));
}

async function append(
	trx: Executor,
	event: AuditEvent
): Promise<{ seq: string; entryHash: Buffer }> {
	const { rows } = await sql<{ seq: string | null; entry_hash: Buffer | null }>`
		SELECT seq, entry_hash FROM audit.lock_chain(${event.municipalityCode})`.execute(trx);
	const head = rows[0];
	const seq = head?.seq ? (BigInt(head.seq) + 1n).toString() : '1';
	const prevHash = head?.entry_hash ?? genesisHash;
	const fields: ChainedFields = {
		municipalityCode: event.municipalityCode,
		seq,
		occurredAt: chainTime(new Date()),
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
	const hash = entryHash(prevHash, fields);
	await trx
		.insertInto('audit.entry')
		.values({
			municipality_code: fields.municipalityCode,
			seq: fields.seq,
			occurred_at: fields.occurredAt,
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
			payload_hash: fields.payloadHash,
			prev_hash: prevHash,
			entry_hash: hash
		})
		.execute();
	if (event.payload) {
		await trx
			.insertInto('audit.payload')
			.values({
				municipality_code: fields.municipalityCode,
				seq,
				payload: JSON.stringify(event.payload)
			})
			.execute();
	}
	return { seq, entryHash: hash };
}
