// Per-task rights (ACL-1): a staff route names the permission it needs; the rest get 403.
import { error } from '@sveltejs/kit';
import { m } from '$lib/paraglide/messages';

export function requirePermission(
	locals: App.Locals,
	permission: string
): NonNullable<App.Locals['staff']> {
	const staff = locals.staff;
	if (!staff) error(401, m.auth_sign_in_required());
	if (!staff.permissions.has(permission)) error(403, m.staff_forbidden());
	return staff;
}
