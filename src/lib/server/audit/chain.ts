// The hash chain's canonical encoding, shared by the writer and the verifier so they cannot
// drift apart. entry_hash = SHA-256(prev_hash ‖ UTF-8(JSON array of the fields below, in order)).
// A fixed-order array of strings and nulls has one JSON encoding, so no canonicalisation library
// is needed; numbers (seq) are written as decimal strings and the time as ISO-8601 UTC with
// microseconds — timestamptz's own precision, read back as text by the verifier, so a change of
// even one microsecond is seen (a JS Date would round it away).
import { createHash } from 'node:crypto';

export const chainVersion = 'v1';
export const genesisHash = Buffer.alloc(32, 0);

export type ChainedFields = {
	municipalityCode: string;
	seq: string;
	/** YYYY-MM-DDTHH:MM:SS.ffffffZ, see chainTime() */
	occurredAt: string;
	actorType: string;
	actorId: string;
	actorRole: string;
	department: string | null;
	ip: string | null;
	userAgent: string | null;
	sessionHash: string | null;
	requestId: string | null;
	action: string;
	subjectAtenaNumber: string | null;
	objectType: string | null;
	objectId: string | null;
	reason: string | null;
	result: string;
	payloadHash: Buffer | null;
};

export function canonicalEncoding(fields: ChainedFields): string {
	return JSON.stringify([
		chainVersion,
		fields.municipalityCode,
		fields.seq,
		fields.occurredAt,
		fields.actorType,
		fields.actorId,
		fields.actorRole,
		fields.department,
		fields.ip,
		fields.userAgent,
		fields.sessionHash,
		fields.requestId,
		fields.action,
		fields.subjectAtenaNumber,
		fields.objectType,
		fields.objectId,
		fields.reason,
		fields.result,
		fields.payloadHash ? fields.payloadHash.toString('hex') : null
	]);
}

/** A Date as the chain's time text (UTC, microseconds). */
export function chainTime(date: Date): string {
	return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** The SQL expression that reads timestamptz back as the same text. */
export const chainTimeSql = `to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export function entryHash(prevHash: Buffer, fields: ChainedFields): Buffer {
	return createHash('sha256').update(prevHash).update(canonicalEncoding(fields), 'utf8').digest();
}

/** JSON with object keys sorted at every level: one encoding per value. */
export function canonicalJson(value: unknown): string {
	if (value === null || typeof value !== 'object') {
		if (typeof value === 'number' && !Number.isFinite(value))
			throw new TypeError('non-finite number');
		return JSON.stringify(value);
	}
	if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
	const entries = Object.entries(value as Record<string, unknown>)
		.filter(([, item]) => item !== undefined)
		.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
	return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}

export function payloadHash(payload: unknown): Buffer {
	return createHash('sha256').update(canonicalJson(payload), 'utf8').digest();
}
