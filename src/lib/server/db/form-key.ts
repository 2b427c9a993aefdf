// A form's one-time key: issued with the page as a hidden field (or sent with a signed request),
// so that a double tap, or sending again after a lost answer, does the thing once. Each table
// that takes keys has a unique index on its key; this lock makes a second post of the same key
// wait for the first transaction and then find what it made, instead of failing on that index.
import { sql } from 'kysely';
import type { Executor } from './index';
import { uuidPattern } from '../ids';

export const formKeyPattern = uuidPattern;

/** Held until the transaction ends. */
export async function lockFormKey(trx: Executor, key: string): Promise<void> {
	await sql`SELECT pg_advisory_xact_lock(hashtext(${`form:${key}`}))`.execute(trx);
}
