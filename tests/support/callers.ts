// Callers for tests that call domain functions directly, as the routes do with the session.
import type { Actor } from '../../src/lib/server/audit/record';
import type { StaffCaller } from '../../src/lib/server/audit/caller';

/** A staff member of the city holding these permissions (their actor as the audit names it). */
export function staffCaller(
	municipalityCode: string,
	actor: Extract<Actor, { type: 'staff' }>,
	permissions: string[]
): StaffCaller {
	return {
		type: 'staff',
		id: actor.id,
		loginId: actor.id,
		displayName: actor.id,
		municipalityCode,
		department: actor.department,
		roles: actor.role.split(','),
		permissions: new Set(permissions)
	};
}
