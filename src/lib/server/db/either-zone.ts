// Tables both zones keep with the same columns: the rate limits and WebAuthn challenges of the
// back office (staff sign-in, a passkey added) and of the portal (residents' sign-in and signed
// acts, migrations/portal/0010). The code that keeps them takes either database.
import type { Kysely, Transaction } from 'kysely';
import type { DB, Executor, PortalZoneDB, PortalZoneExecutor } from './index';

type SameInBothZones = Pick<DB, 'rate_limit' | 'webauthn_challenge'>;
export type EitherZone = Kysely<SameInBothZones> | Transaction<SameInBothZones>;
export type EitherZoneExecutor = Executor | PortalZoneExecutor;

// Compile-time proof that the two zones' tables have the same columns (the cast below rests on it).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameColumns: [
	Same<DB['rate_limit'], PortalZoneDB['rate_limit']>,
	Same<DB['webauthn_challenge'], PortalZoneDB['webauthn_challenge']>
] = [true, true];
void sameColumns;

/** Either zone's database, typed for the tables they share. */
export const eitherZone = (db: EitherZoneExecutor): EitherZone => db as unknown as EitherZone;
