// The caller of a request, from what hooks.server.ts put on locals: the signed-in staff member
// or resident, with the request's audit context. Routes pass it to domain functions.
import { error } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages';
import type { Caller, ResidentCaller, StaffCaller } from '../audit/caller';
import { db, portalZoneDb } from '../db';
import { servedMunicipality } from '../municipality/served';

export function staffCaller(locals: App.Locals): StaffCaller {
	const staff = locals.staff;
	if (!staff) error(401, m.auth_sign_in_required());
	return {
		type: 'staff',
		id: staff.id,
		loginId: staff.loginId,
		displayName: staff.displayName,
		municipalityCode: staff.municipalityCode,
		department: staff.department,
		roles: staff.roles,
		permissions: staff.permissions,
		context: locals.audit
	};
}

export function residentCaller(locals: App.Locals): ResidentCaller {
	const resident = locals.resident;
	if (!resident) error(401, m.auth_sign_in_required());
	return {
		type: 'resident',
		id: resident.accountId,
		municipalityCode: resident.municipalityCode,
		atenaNumber: resident.atenaNumber,
		context: locals.audit
	};
}

/** Someone not signed in (the public verify page), in the served city. */
export async function publicCaller(locals: App.Locals): Promise<Caller> {
	const city = await servedMunicipality();
	return {
		type: 'anonymous',
		id: 'anonymous',
		municipalityCode: city.municipality_code,
		context: locals.audit
	};
}

// What every domain function takes first — the database and the caller — so a route passes
// `...asStaff(locals)` and never holds the database itself.
export const asStaff = (locals: App.Locals) => [db(), staffCaller(locals)] as const;
export const asResident = (locals: App.Locals) => [db(), residentCaller(locals)] as const;
/** The portal zone's own database (issue 27) and the resident: for what travels to the back office. */
export const asResidentInPortalZone = (locals: App.Locals) =>
	[portalZoneDb(), residentCaller(locals)] as const;
export const asPublic = async (locals: App.Locals) => [db(), await publicCaller(locals)] as const;
/** The portal zone's own database and someone not signed in yet (a resident's sign-in). */
export const asPublicInPortalZone = async (locals: App.Locals) =>
	[portalZoneDb(), await publicCaller(locals)] as const;

/**
 * For a page that shows a form and reads nothing (a search, the desk's enrolment): the signed-in
 * staff member if they hold the right (ACL-1), else 401/403. Pages that read go through a door.
 */
export function requireStaffRight(locals: App.Locals, permission: string): StaffCaller {
	const caller = staffCaller(locals);
	if (!caller.permissions.has(permission)) error(403, m.staff_forbidden());
	return caller;
}
