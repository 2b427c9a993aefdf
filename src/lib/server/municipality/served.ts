// The served city, re-read at most once a minute: its settings drive timeouts and policy, and
// every page shows its desk. A setting changed takes up to a minute to reach every process.
import { config } from '../config';
import { db } from '../db';
import { findServedMunicipality, type Municipality } from './index';

let cached: { value: Municipality; until: number } | undefined;

export async function servedMunicipality(): Promise<Municipality> {
	const value = await servedMunicipalityIfAny();
	if (!value) throw new Error('no municipality is configured in the database');
	return value;
}

/** As servedMunicipality, or null before any municipality is loaded (a fresh database). */
export async function servedMunicipalityIfAny(): Promise<Municipality | null> {
	if (cached && cached.until > Date.now()) return cached.value;
	const value = await findServedMunicipality(db(), config().municipalityCode);
	if (value) cached = { value, until: Date.now() + 60_000 };
	return value;
}

/** The last city read, without waiting (session timeouts are read on every request). */
export function lastServedMunicipality(): Municipality | undefined {
	return cached?.value;
}
