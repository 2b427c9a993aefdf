// The audit context of a request: who is on the other end, as far as the server can tell.
import { createHash, randomUUID } from 'node:crypto';
import type { AuditContext } from '../audit/record';

export const sessionCookieNames = [
	'__Host-resident_session',
	'__Host-staff_session',
	'resident_session',
	'staff_session'
] as const;

export function auditContextFor(
	request: Request,
	clientAddress: string | null,
	sessionId: string | null
): AuditContext {
	return {
		requestId: randomUUID(),
		ip: clientAddress,
		userAgent: request.headers.get('user-agent')?.slice(0, 512) ?? null,
		// The session id itself never reaches the log; its hash links entries of one session.
		sessionHash: sessionId ? createHash('sha256').update(sessionId).digest('hex') : null
	};
}
