// The served city, re-read at most once a minute: its settings drive timeouts and policy, and
// every page shows its desk. A setting changed takes up to a minute to reach every process. The
// portal reads it from what the back office published to the portal zone (issue 27: the portal
// reads nothing of the back office's database for it); the back office from its own table.
import { config } from '../config';
import { db, inPortalZoneNow, portalZoneDb } from '../db';
import { findServedMunicipality, type Municipality } from './index';
import { publishedCity } from './projection';

type Cache = { value: Municipality; until: number };
const cached: { portal?: Cache; backoffice?: Cache } = {};

export async function servedMunicipality(): Promise<Municipality> {
	const value = await servedMunicipalityIfAny();
	if (!value) throw new Error('no municipality is configured in the database');
	return value;
}

/**
 * As servedMunicipality, or null before any municipality is loaded (a fresh database) or, on the
 * portal, published.
 */
export async function servedMunicipalityIfAny(): Promise<Municipality | null> {
	const zone = inPortalZoneNow() ? 'portal' : 'backoffice';
	const hit = cached[zone];
	if (hit && hit.until > Date.now()) return hit.value;
	const code = config().municipalityCode;
	const value =
		zone === 'portal'
			? await publishedCity(portalZoneDb(), code)
			: await findServedMunicipality(db(), code);
	if (value) cached[zone] = { value, until: Date.now() + 60_000 };
	return value;
}

/**
 * The last city read, without waiting (session timeouts are read on every request); none before
 * one has been read (then the zone is not even asked: code run outside the app has no config).
 */
export function lastServedMunicipality(): Municipality | undefined {
	if (!cached.portal && !cached.backoffice) return undefined;
	return cached[inPortalZoneNow() ? 'portal' : 'backoffice']?.value;
}
