// Who the passkeys belong to and where sessions live: the relying party (origin, RP ID and the
// name the authenticator shows) from configuration, and one session manager per realm, the
// resident's in the portal zone's own database (issue 27) and the staff member's on the process
// connection.
import { config } from '../config';
import { portalZoneDb, processDb } from '../db';
import type { Municipality } from '../municipality';
import { lastServedMunicipality } from '../municipality/served';
import { createSessionManager, type SessionManager } from './sessions';
import type { AuthRealm, RelyingParty } from './webauthn';

export function relyingParty(municipality: Municipality, realm: AuthRealm): RelyingParty {
	const { origin, rpId } = config();
	return { origin, rpId, name: relyingPartyName(municipality, realm) };
}

/** The name an authenticator shows beside the passkey. */
export const relyingPartyName = (
	municipality: Pick<Municipality, 'name_ja' | 'division_ja'>,
	realm: AuthRealm
) =>
	realm === 'staff'
		? `${municipality.name_ja} ${municipality.division_ja}`
		: `${municipality.name_ja} 予防接種ポータル`;

const managers: Partial<Record<AuthRealm, SessionManager>> = {};

/**
 * The realm's session manager, made on first use: a back-office process has no portal zone, so
 * the resident's is never made there (nor asked for: no resident route exists in it).
 */
export function sessionManagers(): Record<AuthRealm, SessionManager> {
	const settings = (realm: AuthRealm) => () => {
		const city = lastServedMunicipality();
		return realm === 'resident'
			? {
					idleMinutes: city?.resident_idle_minutes ?? 30,
					absoluteHours: city?.resident_absolute_hours ?? 12
				}
			: {
					idleMinutes: city?.staff_idle_minutes ?? 15,
					absoluteHours: city?.staff_absolute_hours ?? 9
				};
	};
	return {
		get resident() {
			return (managers.resident ??= createSessionManager(portalZoneDb(), 'resident', {
				secureCookies: config().secureCookies,
				settings: settings('resident')
			}));
		},
		get staff() {
			return (managers.staff ??= createSessionManager(processDb(), 'staff', {
				secureCookies: config().secureCookies,
				settings: settings('staff')
			}));
		}
	};
}
