// Who is asking: the argument every domain function takes after the database. Routes build it
// from the session (http/caller.ts), scripts and jobs build a system caller. It carries the
// request's audit context, so the domain function writes its own audit entries, reads included,
// and no route has to remember to.
import { recordAudit, type Actor, type AuditContext, type AuditEvent } from './record';
import type { Executor } from '../db';
import { AccessRefused } from '../errors';

type Common = { municipalityCode: string; context?: AuditContext };

export type StaffCaller = Common & {
	type: 'staff';
	id: string;
	/** As printed on what they export ("printed by"). */
	loginId: string;
	displayName: string;
	department: string | null;
	roles: readonly string[];
	/** The rights in force today (read on every request by the guard). */
	permissions: ReadonlySet<string>;
};

export type ResidentCaller = Common & {
	type: 'resident';
	/** The portal account. */
	id: string;
	/** The account holder's own 宛名番号 (never shown; whose records are "own"). */
	atenaNumber: string;
};

/** A script, a job or a ceremony before sign-in. */
export type SystemCaller = Common & { type: 'system' | 'anonymous'; id: string };

export type Caller = StaffCaller | ResidentCaller | SystemCaller;

/** The caller as the audit log names them. */
export function actorOf(caller: Caller): Actor {
	switch (caller.type) {
		case 'staff':
			return {
				type: 'staff',
				id: caller.id,
				role: caller.roles.join(',') || 'none',
				department: caller.department
			};
		case 'resident':
			return { type: 'resident', id: caller.id, role: 'resident' };
		case 'system':
			return { type: 'system', id: caller.id, role: 'system' };
		case 'anonymous':
			return { type: 'anonymous', id: 'anonymous', role: 'anonymous' };
	}
}

/** A staff member who holds the permission today; anyone else is refused. */
export function requirePermission(
	caller: Caller,
	permission: string
): asserts caller is StaffCaller {
	if (caller.type !== 'staff') throw new AccessRefused('sign_in_required');
	if (!caller.permissions.has(permission)) throw new AccessRefused('forbidden');
}

export function requireResident(caller: Caller): asserts caller is ResidentCaller {
	if (caller.type !== 'resident') throw new AccessRefused('sign_in_required');
}

/** One audit entry by this caller, in this city, with this request's context. */
export function auditAs(
	db: Executor,
	caller: Caller,
	event: Omit<AuditEvent, 'municipalityCode' | 'actor' | 'context'>
): Promise<void> {
	return recordAudit(db, {
		municipalityCode: caller.municipalityCode,
		actor: actorOf(caller),
		context: caller.context,
		...event
	});
}

/**
 * An id that is not there, not in the caller's city or not theirs: the attempt on record, and the
 * same answer as for one that does not exist (404), so an id reveals nothing.
 */
export async function refuseUnknownId(
	db: Executor,
	caller: Caller,
	entry: {
		action: AuditEvent['action'];
		objectType: string;
		id: string;
		payload?: Record<string, unknown>;
	}
): Promise<never> {
	await auditAs(db, caller, {
		action: entry.action,
		objectType: entry.objectType,
		objectId: entry.id.slice(0, 64),
		result: 'denied',
		payload: entry.payload
	});
	throw new AccessRefused('not_found');
}
