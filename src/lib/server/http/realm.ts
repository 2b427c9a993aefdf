// Which realm a route belongs to, and whether this deployment serves it (APP_ROLE). In `portal`
// no staff route exists; in `backoffice` no resident route exists (DOMAIN.md §1, 三層の対策).
import type { AppRole } from '../config';

// 'exchange': the endpoints the back office pulls the portal's items from (issue 27); they belong
// to the portal and exist where it runs.
export type Realm = 'public' | 'resident' | 'staff' | 'exchange';

export function realmOf(routeId: string | null, pathname: string): Realm {
	const id = routeId ?? pathname;
	if (id === '/staff' || id.startsWith('/staff/')) return 'staff';
	if (id.startsWith('/exchange/')) return 'exchange';
	if (id.startsWith('/(portal)')) return 'resident';
	return 'public';
}

export function isServed(realm: Realm, appRole: AppRole): boolean {
	if (realm === 'staff') return appRole !== 'portal';
	if (realm === 'resident' || realm === 'exchange') return appRole !== 'backoffice';
	return true;
}
